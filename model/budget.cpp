#include "model/budget.h"

#include "model/error.h"
#include "model/translatable.h"

#include <cstdio>

namespace attnviz {
namespace {

// Elements and products of one recorded run, counted per block as transformer.cpp records it.
struct Tally {
  double elements = 0;  // of every activation
  double tensors = 0;   // recorded activations (each also one forward and one backward step)
  double flops = 0;     // forward only
};

// Multi-head attention, queries (T_q, d) over keys (T_k, d), h heads of d/h columns:
//   q, k, v, o projections, per head the split Q_h K_h V_h, scores, scale, mask, softmax and
//   weighted sum, the concat.
void attention(Tally& t, double T_q, double T_k, double d, double h) {
  t.elements += 5 * T_q * d + 4 * T_k * d + 4 * h * T_q * T_k;
  t.tensors += 5 + 8 * h;
  t.flops += 2 * (2 * T_q + 2 * T_k) * d * d + 4 * T_q * T_k * d + 6 * h * T_q * T_k;
}

void feed_forward(Tally& t, double T, double d, double d_ff) {
  t.elements += 2 * T * d_ff + T * d;
  t.tensors += 3;
  t.flops += 4 * T * d * d_ff + T * d_ff;
}

void add_norm(Tally& t, double T, double d) {  // residual add and LayerNorm
  t.elements += 2 * T * d;
  t.tensors += 2;
  t.flops += 10 * T * d;
}

Tally tally(const Config& c, double T_s, double T_t) {
  const double d = c.d_model, h = c.heads, f = c.d_ff, V = c.tgt_vocab;
  Tally t;
  t.elements +=
      3 * (T_s + T_t) + T_s * T_s + 3 * T_t * T_t + T_t * T_s + 4 * (T_s + T_t) * d;  // ids, masks, embeddings
  t.tensors += 16;
  for (int l = 0; l < c.encoder_layers; ++l) {
    attention(t, T_s, T_s, d, h);
    feed_forward(t, T_s, d, f);
    add_norm(t, T_s, d);
    add_norm(t, T_s, d);
  }
  for (int l = 0; l < c.decoder_layers; ++l) {
    attention(t, T_t, T_t, d, h);
    attention(t, T_t, T_s, d, h);
    feed_forward(t, T_t, d, f);
    for (int k = 0; k < 3; ++k) add_norm(t, T_t, d);
  }
  t.elements += 2 * (T_s + T_t) * d + 3 * T_t * V;  // final norms, logits, probabilities
  t.tensors += 6;
  t.flops += 2 * T_t * d * V + 5 * T_t * V;
  return t;
}

double parameter_count(const Config& c) {
  const double d = c.d_model, f = c.d_ff, E = c.encoder_layers, D = c.decoder_layers;
  const double attention = 4 * d * d + 4 * d, ffn = 2 * d * f + f + d, norm = 2 * d;
  return (double(c.src_vocab) + 2.0 * c.tgt_vocab) * d + c.tgt_vocab + E * (attention + ffn + 2 * norm) +
         D * (2 * attention + ffn + 3 * norm) + 2 * norm;
}

}  // namespace

Cost estimate_cost(const Config& c, int T_src, int T_tgt) {
  const double T_s = T_src > 0 ? T_src : c.max_len, T_t = T_tgt > 0 ? T_tgt : c.max_len;
  const Tally t = tally(c, T_s, T_t);
  Cost cost;
  cost.parameter_bytes = 2 * 8 * parameter_count(c);
  cost.positional_bytes = 8.0 * c.max_len * c.d_model;
  // Each element: value, gradient and at most one share of a gradient; each tensor and its two
  // steps hold names, shapes and lists of a few hundred bytes.
  cost.trace_bytes = 3 * 8 * t.elements + 1024 * t.tensors;
  cost.flops = 3 * t.flops;  // backward: two products per forward product
  return cost;
}

double training_bytes(const Cost& cost) { return cost.total_bytes() + cost.parameter_bytes; }

Limits& limits() {
  static Limits in_force;
  return in_force;
}

void check_cost(const Config& c) {
  const Cost cost = estimate_cost(c);
  const Limits& l = limits();
  if (cost.total_bytes() > l.memory_bytes)
    throw InputError(
        N_("%s: this model needs %s, over the %s limit (parameters %s, positional table %s, a trace at "
           "max_len = %s tokens %s; --memory-limit raises the limit)"),
        {"config", bytes_text(cost.total_bytes()), bytes_text(l.memory_bytes), bytes_text(cost.parameter_bytes),
         bytes_text(cost.positional_bytes), std::to_string(c.max_len), bytes_text(cost.trace_bytes)});
  if (cost.flops > l.flops) {
    const auto number = [](double x) {
      char text[32];
      std::snprintf(text, sizeof text, "%.3g", x);
      return std::string(text);
    };
    throw InputError(N_("%s: one forward + backward at max_len = %s tokens is %s floating-point operations, over the "
                        "limit of %s"),
                     {"config", std::to_string(c.max_len), number(cost.flops), number(l.flops)});
  }
}

void check_training_cost(const Config& c) {
  const double need = training_bytes(estimate_cost(c));
  if (need > limits().training_memory_bytes)
    throw InputError(N_("%s: training this model needs %s, over the %s limit (the model, Adam's moments and a trace; "
                        "--memory-limit raises the limit)"),
                     {"config", bytes_text(need), bytes_text(limits().training_memory_bytes)});
}

std::string bytes_text(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char text[32];
  std::snprintf(text, sizeof text, bytes < 10 && u > 0 ? "%.1f %s" : "%.0f %s", bytes, units[u]);
  return text;
}

}  // namespace attnviz

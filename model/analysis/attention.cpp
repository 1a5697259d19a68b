#include "model/analysis/attention.h"

#include "model/analysis/variant.h"
#include "model/error.h"
#include "model/translatable.h"

#include <algorithm>
#include <cmath>

namespace attnviz::analysis {

const char* to_string(AttentionKind kind) {
  switch (kind) {
    case AttentionKind::encoder_self: return N_("encoder self-attention");
    case AttentionKind::decoder_self: return N_("masked decoder self-attention");
    case AttentionKind::cross: return N_("encoder–decoder attention");
  }
  return "?";
}

Where where_of(const HeadRef& h) {
  Where w;
  w.stack = h.attention == AttentionKind::encoder_self ? Stack::encoder : Stack::decoder;
  w.layer = h.layer;
  w.sublayer = h.attention == AttentionKind::cross ? Sublayer::cross_attn : Sublayer::self_attn;
  w.head = h.head;
  return w;
}

std::string label_prefix(const HeadRef& h) {
  const Where w = where_of(h);
  return std::string(attnviz::to_string(w.stack)) + "." + std::to_string(h.layer) + "." +
         attnviz::to_string(w.sublayer) + ".head" + std::to_string(h.head);
}

HeadTensors head_tensors(const Trace& trace, const HeadRef& h) {
  const Where want = where_of(h);
  HeadTensors t;
  bool found = false;
  for (int i = 0; i < trace.forward_count(); ++i) {
    const Step& s = trace.step(i);
    if (s.where != want) continue;
    found = true;
    const TensorId out = s.outputs.front();
    switch (trace.tensor(out).role) {
      case Role::query_head: t.q = out; break;
      case Role::key_head: t.k = out; break;
      case Role::value_head: t.v = out; break;
      case Role::scores: t.scores = out; break;
      case Role::scaled_scores: t.scaled = out; break;
      case Role::masked_scores:
        t.mask = s.inputs.at(1);
        t.masked = out;
        break;
      case Role::attention_weights: t.weights = out; break;
      case Role::head_output: t.output = out; break;
      default: break;
    }
  }
  if (!found || !t.weights.valid() || !t.scores.valid() || !t.masked.valid())
    throw InputError("head: the trace has no " + std::string(to_string(h.attention)) + " at layer " +
                     std::to_string(h.layer) + ", head " + std::to_string(h.head) + " (" + label_prefix(h) + ")");
  return t;
}

std::vector<HeadRef> all_heads(const Config& config, AttentionKind attention) {
  const int layers = attention == AttentionKind::encoder_self ? config.encoder_layers : config.decoder_layers;
  std::vector<HeadRef> heads;
  for (int l = 0; l < layers; ++l)
    for (int h = 0; h < config.heads; ++h) heads.push_back({attention, l, h});
  return heads;
}

CellDetail cell_detail(const Trace& trace, const HeadTensors& t, int query, int key) {
  const Mat& A = trace.value(t.weights);
  if (query < 0 || query >= A.rows())
    throw InputError("query: " + std::to_string(query) + " is outside [0, " + std::to_string(A.rows()) + ")");
  if (key < 0 || key >= A.cols())
    throw InputError("key: " + std::to_string(key) + " is outside [0, " + std::to_string(A.cols()) + ")");
  CellDetail c;
  c.query = query;
  c.key = key;
  c.q = trace.value(t.q).row(query);
  c.k = trace.value(t.k).row(key);
  c.dot = trace.value(t.scores)(query, key);
  c.scaled = t.scaled ? trace.value(*t.scaled)(query, key) : c.dot;
  c.masked = trace.value(t.mask)(query, key) == 0;
  c.weight = A(query, key);
  if (trace.has_backward()) {
    c.grad_weight = trace.grad(t.weights)(query, key);
    c.grad_score = trace.grad(t.scores)(query, key);
  }
  return c;
}

Mat row_entropy(const Mat& A) {
  Mat H = Mat::Zero(A.rows(), 1);
  for (Eigen::Index i = 0; i < A.rows(); ++i)
    for (Eigen::Index j = 0; j < A.cols(); ++j)
      if (A(i, j) > 0) H(i, 0) -= A(i, j) * std::log(A(i, j));
  return H;
}

Scalar gradient_norm(const Trace& trace, TensorId id) {
  if (!trace.has_backward()) return 0;
  const Mat& g = trace.grad(id);
  return g.size() == 0 ? 0.0 : g.norm();
}

Scalar mean_softmax_jacobian_norm(const Mat& A) {
  if (A.rows() == 0) return 0;
  Scalar total = 0;
  for (Eigen::Index i = 0; i < A.rows(); ++i) {
    Scalar squares = 0, cubes = 0;
    for (Eigen::Index j = 0; j < A.cols(); ++j) {
      squares += A(i, j) * A(i, j);
      cubes += A(i, j) * A(i, j) * A(i, j);
    }
    total += std::sqrt(std::max(0.0, squares - 2 * cubes + squares * squares));
  }
  return total / static_cast<Scalar>(A.rows());
}

namespace {

ScalingRun run_with(const Transformer& model, const Example& example, const HeadRef& h, bool scale) {
  Config config = model.config();
  config.scale_attention = scale;
  Transformer variant = with_config(model, config);
  Trace trace;
  ScalingRun r;
  r.scale_attention = scale;
  r.loss = run_forward(variant, example, trace);
  run_backward(trace);
  const HeadTensors t = head_tensors(trace, h);
  r.weights = trace.value(t.weights);
  r.entropy = row_entropy(r.weights);
  r.scores_grad_norm = gradient_norm(trace, t.scores);
  r.softmax_input_grad_norm = gradient_norm(trace, t.masked);
  r.softmax_jacobian_norm = mean_softmax_jacobian_norm(r.weights);
  return r;
}

}  // namespace

ScalingComparison scaling_experiment(const Transformer& model, const Example& example, const HeadRef& head) {
  ScalingComparison c;
  c.head = head;
  c.scaled = run_with(model, example, head, true);
  c.unscaled = run_with(model, example, head, false);
  return c;
}

ScalingComparison scaling_experiment_at_initialisation(Config config, const Example& example, std::uint64_t seed,
                                                       const HeadRef& head, int d_k) {
  config.d_model = config.heads * d_k;
  const Transformer fresh(config, seed);  // validates
  return scaling_experiment(fresh, example, head);
}

ScalingOutcome scaling_outcome(const ScalingComparison& c) {
  return {c.unscaled.entropy.mean() < c.scaled.entropy.mean(),
          c.unscaled.softmax_jacobian_norm < c.scaled.softmax_jacobian_norm};
}

}  // namespace attnviz::analysis

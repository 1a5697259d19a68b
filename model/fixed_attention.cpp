#include "model/fixed_attention.h"

#include "model/error.h"
#include "model/recorder.h"
#include "model/transformer.h"

#include <cmath>

namespace attnviz {

Parameters fixed_attention_parameters(const FixedAttention& a) {
  if (a.empty()) throw InputError("attention: no matrices");
  Parameters p;
  const Mat* weights[] = {&a.W_Q, &a.W_K, &a.W_V};
  const char* names[] = {"q_proj", "k_proj", "v_proj"};
  for (int i = 0; i < 3; ++i) {
    const Mat& W = *weights[i];
    const std::string prefix = std::string("encoder.layers.0.self_attn.") + names[i];
    const int w = p.add(prefix + ".weight", Role::weight, static_cast<int>(W.cols()), static_cast<int>(W.rows()),
                        Axis::features, Axis::features);
    p[w].value = W.transpose();
    p.add(prefix + ".bias", Role::bias, 1, static_cast<int>(W.cols()), Axis::none, Axis::features);
  }
  return p;
}

void run_fixed_attention(const FixedAttention& a, Parameters& params, Trace& trace) {
  trace.reset(&params);
  Recorder r(trace);
  r.enter(Stack::encoder, 0, Sublayer::self_attn);
  const TensorId x = r.input(r.scope() + ".x", a.X, Axis::src_tokens, Axis::features);
  const TensorId q = r.linear("q_proj", x, Recorder::param(0), Recorder::param(1), Role::query);  // Q = X W_Q  (T, d_k)
  const TensorId k = r.linear("k_proj", x, Recorder::param(2), Recorder::param(3), Role::key);    // K = X W_K  (T, d_k)
  const TensorId v = r.linear("v_proj", x, Recorder::param(4), Recorder::param(5), Role::value);  // V = X W_V  (T, d_v)
  r.enter_head(0);
  TensorId s = r.scores("scores", q, k);  // S = Q Kᵀ  (T, T)
  s = r.scale("scale", s, 1.0 / std::sqrt(static_cast<Scalar>(a.W_Q.cols())), Role::scaled_scores, "S' = S / √d_k");
  const TensorId attn = r.softmax("softmax", s);               // A  (T, T)
  const TensorId o = r.weighted_sum("weighted_sum", attn, v);  // O = A V  (T, d_v)
  r.leave_head();
  r.enter(Stack::output, -1, Sublayer::loss);
  trace.set_loss(r.sum("loss", o));  // L = Σ O  (1, 1)
  trace.end_forward();
  run_backward(trace);
}

}  // namespace attnviz

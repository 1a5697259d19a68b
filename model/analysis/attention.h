#pragma once
// One attention head's recorded tensors, the entropy of its weights, and the scaling experiment
// (lesson topic 6): the same model and input with the 1/√d_k scaling off, compared head by head.

#include "model/config.h"
#include "model/trace.h"
#include "model/transformer.h"

#include <optional>
#include <string>
#include <vector>

namespace attnviz::analysis {

enum class AttentionKind { encoder_self, decoder_self, cross };
const char* to_string(AttentionKind);

struct HeadRef {
  AttentionKind attention = AttentionKind::encoder_self;
  int layer = 0;
  int head = 0;
};

// Where the head's steps sit: its stack, layer, attention sublayer and head.
Where where_of(const HeadRef& head);
// "encoder.0.self_attn.head2", "decoder.1.cross_attn.head0": the prefix of the head's labels.
std::string label_prefix(const HeadRef& head);

// The tensors of one head, found by the steps' Where (stack, layer, sublayer, head) and the
// outputs' roles.
struct HeadTensors {
  TensorId q, k, v;                // Q_h (T_q,d_k), K_h (T_k,d_k), V_h (T_k,d_k)
  TensorId scores;                 // S = Q_h K_hᵀ                     (T_q,T_k)
  std::optional<TensorId> scaled;  // S / √d_k, when scale_attention   (T_q,T_k)
  TensorId mask;                   // M: 1 = may attend, 0 = masked    (T_q,T_k)
  TensorId masked;                 // S' where M = 1, −∞ where M = 0   (T_q,T_k)
  TensorId weights;                // A = softmax(masked) per row      (T_q,T_k)
  TensorId output;                 // A V_h                            (T_q,d_k)
};
// Throws InputError naming the layer or head when the trace has no such head.
HeadTensors head_tensors(const Trace& trace, const HeadRef& head);

// Every head of one kind of attention, layer by layer (the model view's grid: layers × heads).
std::vector<HeadRef> all_heads(const Config& config, AttentionKind attention);

// One cell of a head, as the hover of the head detail shows it.
struct CellDetail {
  int query = 0, key = 0;
  Mat q, k;                                       // Q_h[i,:], K_h[j,:]                 (1,d_k) each
  Scalar dot = 0;                                 // q_i·k_j = S[i,j]
  Scalar scaled = 0;                              // S[i,j]/√d_k (S[i,j] when scaling is off)
  bool masked = false;                            // M[i,j] = 0: the score became −∞ and the weight 0
  Scalar weight = 0;                              // A[i,j]
  std::optional<Scalar> grad_weight, grad_score;  // ∂L/∂A[i,j], ∂L/∂S[i,j] once backward ran
};
// Throws InputError naming the query or key when outside the head's (T_q, T_k).
CellDetail cell_detail(const Trace& trace, const HeadTensors& head, int query, int key);

// H[i] = −Σ_j A[i,j]·ln A[i,j] in nats, with 0·ln 0 = 0 (masked keys add nothing).
//                                                     A:(T_q,T_k) → H:(T_q,1)
Mat row_entropy(const Mat& A);

// ‖∂L/∂X‖_F of a tensor's stored gradient; 0 when it has none or the trace has no backward.
Scalar gradient_norm(const Trace& trace, TensorId id);

struct ScalingRun {
  bool scale_attention = true;
  Scalar loss = 0;
  Mat weights;                         // A (T_q,T_k)
  Mat entropy;                         // row_entropy(A) (T_q,1)
  Scalar scores_grad_norm = 0;         // ‖∂L/∂S‖_F, S = Q_h K_hᵀ (before any scaling)
  Scalar softmax_input_grad_norm = 0;  // ‖∂L/∂S'‖_F at the softmax's input (scaled, masked)
  Scalar softmax_jacobian_norm = 0;    // mean over rows of ‖∂a/∂s‖_F = ‖diag(a) − a aᵀ‖_F: how much
                                       // of any gradient the softmax passes (→ 0 when saturated)
};

struct ScalingComparison {
  HeadRef head;
  ScalingRun scaled, unscaled;  // scale_attention on, off; same weights, same input
};

// Runs forward + backward twice on `model`'s weights, with scale_attention on and off (every
// other setting as in the model's config), and reads the head's weights and gradients.
ScalingComparison scaling_experiment(const Transformer& model, const Example& example, const HeadRef& head);

// The paper's setting for the same comparison: weights fresh from `seed` (before any training),
// with d_model = heads · d_k so every head has `d_k` features (the paper's d_k is 64).  At
// initialisation q·k has variance ∝ d_k, so without 1/√d_k the softmax saturates.
ScalingComparison scaling_experiment_at_initialisation(Config config, const Example& example, std::uint64_t seed,
                                                       const HeadRef& head, int d_k = 64);

// Mean over the rows a of A of ‖diag(a) − a aᵀ‖_F, the softmax's Jacobian:
//   ‖J‖²_F = Σⱼ aⱼ² − 2 Σⱼ aⱼ³ + (Σⱼ aⱼ²)².                      A:(T_q,T_k) → scalar
Scalar mean_softmax_jacobian_norm(const Mat& A);

// What the comparison shows: the unscaled run's mean row entropy lower, and its softmax passing
// less gradient (a smaller Jacobian: the lesson's claim), each measured, not assumed.
struct ScalingOutcome {
  bool entropy_lower = false;
  bool gradient_smaller = false;
  bool claim_seen() const { return entropy_lower && gradient_smaller; }
};
ScalingOutcome scaling_outcome(const ScalingComparison& c);

}  // namespace attnviz::analysis

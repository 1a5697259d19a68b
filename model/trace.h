#pragma once
// The Trace: every tensor of one forward + backward run by name, value and gradient, and every
// operation as a Step, in the order it ran.  A step is data, not a closure, so views can list
// it, draw it and explain it.

#include "model/config.h"
#include "model/op_table.h"
#include "model/parameters.h"
#include "model/tensor.h"

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attnviz {

enum class Stack : std::int8_t { none = -1, encoder, decoder, output };
// The blocks of the paper's figure.  An "Add & Norm" block holds the residual add and the
// LayerNorm that follow (post-norm) or surround (pre-norm) the sublayer before it.
enum class Sublayer : std::int8_t {
  none = -1,
  embed,          // embedding, × √d_model, + PE
  self_attn,      // multi-head self-attention (masked in the decoder)
  norm1,          // Add & Norm after self-attention
  cross_attn,     // encoder–decoder attention (decoder only)
  norm2,          // Add & Norm after cross-attention (decoder) or after the FFN (encoder)
  ffn,            // position-wise feed-forward
  norm3,          // Add & Norm after the FFN (decoder only)
  final_norm,     // the stack's closing LayerNorm (pre-norm, and post-norm with config.final_norm)
  generator,      // linear to the vocabulary
  loss,           // softmax + cross-entropy
  recurrent,      // a recurrent model's cell at one time step ("encoder.3.rnn"), or its stacked states
  additive_attn,  // Bahdanau's attention at one decoder time step ("decoder.3.attention"), or its keys
};
const char* to_string(Stack);
const char* to_string(Sublayer);

// Where a step or tensor sits in the architecture, for linking views.  −1 = not applicable.
struct Where {
  Stack stack = Stack::none;
  int layer = -1;
  Sublayer sublayer = Sublayer::none;
  int head = -1;
  bool operator==(const Where&) const = default;
};

// A tensor is either an activation recorded by the trace or a model parameter.
struct TensorId {
  enum Kind : std::uint8_t { activation, parameter } kind = activation;
  std::int32_t index = -1;
  bool valid() const { return index >= 0; }
  bool operator==(const TensorId&) const = default;
};

struct NonFinite {
  TensorId tensor;
  int row = 0, col = 0;
  Scalar value = 0;
};

// The constants of an op beside its tensors; each holds its default where the op has none.
struct OpArgs {
  Scalar c = 1;     // scale: Y = c·X
  int d_k = 0;      // split_head, concat_heads: the features of one head
  Scalar eps = 0;   // layer_norm: the ε of √(σ² + ε)
  int pad_id = -1;  // cross_entropy: the padding id, whose targets the loss leaves out
  bool operator==(const OpArgs&) const = default;
};

struct Step {
  Phase phase = Phase::forward;
  OpKind op = OpKind::linear;
  std::string label;  // "encoder.1.self_attn.head2.softmax"; a backward step shares its twin's
  Where where;
  std::vector<TensorId> inputs, outputs;
  std::string_view formula;  // Unicode, e.g. "A = softmax(S)"; points at static text
  OpArgs args;               // the constants the op was recorded with
  int twin = -1;             // the backward step of a forward step, and the other way round

  // Backward only: ∂L/∂input contributed by this step, one per input, where the input is read by
  // several steps (an activation, or a recurrent cell's weights at every time step).  Empty where
  // the input takes no gradient, and where this step is the input's one reader (a Transformer's
  // parameter, most activations): its share is then the input's whole gradient.  Read through
  // Trace::share.
  std::vector<Mat> input_grads;
  // Backward only: the columns of a split_head step's share outside which it is still 0, as its
  // last run left it (none: count 0); a run of the same columns and shape clears only these.
  Columns head_share_kept;

  // Forward only: per-row statistics the op computed on the way, (T, 2).  LayerNorm: μ and 1/σ,
  // which its backward and explain reuse; cross-entropy: the max and Σ exp of its softmax.
  Mat saved;

  std::vector<int> fully_masked_rows;   // softmax rows whose every key is masked: weights 0
  std::optional<NonFinite> non_finite;  // first non-finite output (forward) or gradient
};

class Trace {
 public:
  // ---- tensors ----
  const Tensor& tensor(TensorId id) const {
    if (id.kind == TensorId::parameter) return (*params_)[id.index];
    return activations_[static_cast<std::size_t>(id.index)];
  }
  Tensor& tensor(TensorId id) {
    if (id.kind == TensorId::parameter) return (*params_)[id.index];
    return activations_[static_cast<std::size_t>(id.index)];
  }
  const Mat& value(TensorId id) const { return tensor(id).value; }
  const Mat& grad(TensorId id) const { return tensor(id).grad; }
  // ∂L/∂(input i) contributed by backward step `b`: its own share, or the input's whole gradient
  // when `b` is its one reader (empty where the input takes no gradient).
  const Mat& share(const Step& b, std::size_t i) const {
    if (i < b.input_grads.size() && b.input_grads[i].size() > 0) return b.input_grads[i];
    return grad(b.inputs[i]);
  }
  // Where share(b, i) can be nonzero, if not anywhere: a head's d_k columns of split_head's own
  // share of Q, K or V (0 in every other column).
  static std::optional<Columns> share_columns(const Step& b, std::size_t i) {
    if (b.op != OpKind::split_head || i >= b.input_grads.size() || b.input_grads[i].size() == 0) return std::nullopt;
    return Columns{b.where.head * Eigen::Index{b.args.d_k}, b.args.d_k};
  }
  std::optional<TensorId> find(std::string_view name) const;  // activation or parameter
  int tensor_count() const { return activations_used_; }
  // Tensor slots held from earlier runs (a re-run of the same model uses no more).
  std::size_t tensor_capacity() const { return activations_.size(); }
  TensorId activation(int index) const { return {TensorId::activation, index}; }

  // ---- steps ----
  std::span<const Step> steps() const { return {steps_.data(), static_cast<std::size_t>(steps_used_)}; }
  std::span<Step> steps() { return {steps_.data(), static_cast<std::size_t>(steps_used_)}; }
  const Step& step(int i) const { return steps_[static_cast<std::size_t>(i)]; }
  Step& step(int i) { return steps_[static_cast<std::size_t>(i)]; }
  int step_count() const { return steps_used_; }
  int forward_count() const { return forward_count_; }
  // How many forward steps read this activation or parameter (as counted by end_forward).
  int readers(TensorId id) const {
    const auto index = static_cast<std::size_t>(id.index);
    return id.kind == TensorId::activation ? readers_[index] : param_readers_[index];
  }
  // The step with this label and phase, if any (labels repeat only across phases).
  std::optional<int> find_step(std::string_view label, Phase phase) const;

  const Parameters* params() const { return params_; }
  Parameters* params() { return params_; }
  // The same run over other Parameters of the same names and shapes, once they hold the values
  // and gradients this run produced (see Session::take_run).
  void rebind(Parameters* params) { params_ = params; }
  Scalar loss() const;
  bool has_backward() const { return steps_used_ > forward_count_; }

  // ---- recording (used by the model) ----
  // Starts a new run over `params`, keeping allocated memory so a re-run costs no allocation.
  // A model's run with the same `config` as the last complete forward replays it: the config
  // alone fixes the names, labels, inputs and outputs (the sentence lengths fix only shapes), so
  // tensors and steps keep theirs and the run writes shapes and values only.
  void reset(Parameters* params, const Config* config = nullptr);
  bool replaying() const { return replaying_; }
  // The next tensor, of `role` in attention head `head` (−1: none).  When replaying, `name`,
  // the role, the head, the axes and `requires_grad` are those already held and are not
  // written again.
  TensorId add_tensor(std::string_view name, Role role, int head, int rows, int cols, Axis row_axis, Axis col_axis,
                      bool requires_grad = true);
  // The next step, cleared; when replaying (forward) or when `keep_labels` (backward), its
  // label, location, inputs, outputs, formula, args and twin are kept for the caller to reuse.
  Step& add_step(OpKind op, Phase phase, bool keep_labels = false);
  // Replaying, the steps and tensors after the givens are the run's own: resume_replay() takes
  // back its tensors (the shapes of the values are set by the ops), replay_step() hands out its
  // steps in order (add_step, replaying), until replayed_steps() are out.
  void resume_replay() {
    activations_used_ = replayed_.tensors;
    loss_ = replayed_.loss;
  }
  int replayed_steps() const { return replayed_.steps; }
  Step& replay_step() { return add_step(steps_[static_cast<std::size_t>(steps_used_)].op, Phase::forward); }
  void end_forward();
  // Drops the backward steps (before a new backward over the same forward).  True when the
  // dropped steps were recorded over a forward of the same config, so a new backward may keep
  // their labels.
  bool drop_backward();
  void end_backward() { backward_recorded_ = true; }
  void set_loss(TensorId loss) { loss_ = loss; }
  TensorId loss_id() const { return loss_; }

 private:
  Parameters* params_ = nullptr;
  std::vector<Tensor> activations_;  // slots [0, activations_used_) are live
  int activations_used_ = 0;
  std::vector<Step> steps_;  // slots [0, steps_used_) are live
  int steps_used_ = 0;
  int forward_count_ = 0;
  std::vector<int> readers_;        // per activation: the forward steps that read it
  std::vector<int> param_readers_;  // per parameter: the same
  TensorId loss_;
  std::optional<Config> config_;  // of the model whose forward is (or was last) recorded
  bool replaying_ = false;
  struct {
    int steps = 0, tensors = 0;
    TensorId loss;
  } replayed_;                      // the run replayed: its forward steps, its tensors and its loss
  bool backward_recorded_ = false;  // the steps after the forward hold its backward's labels
  mutable std::unordered_map<std::string, int> by_name_;  // built on the first find()
  mutable bool by_name_built_ = false;
};

// Inline, as the two below: the recorder and run_backward call them for every step.
inline TensorId Trace::add_tensor(std::string_view name, Role role, int head, int rows, int cols, Axis row_axis,
                                  Axis col_axis, bool requires_grad) {
  if (static_cast<std::size_t>(activations_used_) == activations_.size()) activations_.emplace_back();
  Tensor& t = activations_[static_cast<std::size_t>(activations_used_)];
  reshape(t.value, rows, cols);
  if (requires_grad)
    reshape(t.grad, rows, cols);  // filled by run_backward; kept to reuse memory
  else
    reshape(t.grad, 0, 0);
  if (!replaying_) {
    t.name.assign(name);
    t.role = role;
    t.head = static_cast<std::int16_t>(head);
    t.rows = row_axis;
    t.cols = col_axis;
    t.requires_grad = requires_grad;
    by_name_built_ = false;
  }
  return {TensorId::activation, activations_used_++};
}

inline Step& Trace::add_step(OpKind op, Phase phase, bool keep_labels) {
  if (static_cast<std::size_t>(steps_used_) == steps_.size()) steps_.emplace_back();
  Step& s = steps_[static_cast<std::size_t>(steps_used_++)];
  if (!(keep_labels || (replaying_ && phase == Phase::forward))) {
    s.label.clear();
    s.where = {};
    s.inputs.clear();
    s.outputs.clear();
    s.formula = {};
    s.args = {};
    s.twin = -1;
    s.head_share_kept = {};
    s.saved.resize(0, 0);  // a slot held another op's statistics
  } else if (s.op != op || s.phase != phase) {
    throw std::logic_error("Trace: a replayed run records a different step");
  }
  s.phase = phase;
  s.op = op;
  if (phase == Phase::forward) {
    s.twin = -1;            // until a backward runs
    s.input_grads.clear();  // a backward step reuses its buffers
    s.head_share_kept = {};
  }
  s.fully_masked_rows.clear();
  s.non_finite.reset();
  return s;
}

}  // namespace attnviz

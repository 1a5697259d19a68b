#pragma once
// Records forward ops into a Trace: each call stores its output as a named tensor, appends a Step
// whose label is that name, and computes the step (an attention's heads, when side by side, at
// end_heads).  A run the trace replays records its givens alone and computes the steps already
// recorded (replay).  Used by run_forward.

#include "model/config.h"
#include "model/finite_values.h"
#include "model/parallel.h"
#include "model/trace.h"

#include <string>
#include <string_view>
#include <vector>

namespace attnviz {

// Whether an attention's heads are computed side by side, a head a piece (Recorder::begin_heads,
// run_backward): on more than one thread, when T_q · T_k · d_model ≥ 2¹⁶.  Below it, a head's
// work costs about what handing it to a helper does.
inline bool heads_side_by_side(Eigen::Index T_q, Eigen::Index T_k, Eigen::Index d_model) {
  return threads() > 1 && T_q * T_k * d_model >= Eigen::Index{1} << 16;
}

// f(k) for every k in [0, count), where k stands for trace step step_of(k) and the steps of one
// head (consecutive, of the same Where::head) are in order: each head's k in order on one thread,
// the heads over the threads.  `begins` is scratch for where each head starts.
template <class StepOf, class F>
void run_each_head(const Trace& trace, int count, StepOf&& step_of, F&& f, std::vector<int>& begins) {
  begins.clear();
  for (int k = 0; k < count; ++k)
    if (k == 0 || trace.step(step_of(k)).where.head != trace.step(step_of(k - 1)).where.head) begins.push_back(k);
  begins.push_back(count);
  run_pieces(
      static_cast<int>(begins.size()) - 1,
      [&](int h) {
        for (int k = begins[static_cast<std::size_t>(h)]; k < begins[static_cast<std::size_t>(h) + 1]; ++k) f(k);
      },
      /*wake_helpers=*/false);
}

// Computes forward step `s` from its inputs into its outputs, by its op and constants
// (Step::args, the head of Step::where): the op of every step the Recorder records or replays.
// `parts` is scratch for a concatenation's inputs.
void compute_forward(Trace& trace, Step& s, std::vector<const Mat*>& parts);

class Recorder {
 public:
  explicit Recorder(Trace& trace) : trace_(trace) { finite_.reserve(trace.tensor_capacity()); }

  // Where the following ops sit, and the prefix of their labels ("encoder.0.self_attn"); the
  // prefix is not rebuilt while the trace replays a run, whose names it keeps.
  void enter(Stack stack, int layer, Sublayer sublayer);
  void enter_head(int head);
  void leave_head();
  const std::string& scope() const { return scope_; }
  // With `side_by_side`, the ops of an attention's heads recorded until end_heads() are computed
  // there, head by head over the threads: a head's ops read Q, K, V, the mask and that head's
  // own tensors alone, so each head gives the same bits on any thread.
  void begin_heads(bool side_by_side);
  void end_heads();
  // Computes again every step of the run the trace replays (Trace::replaying), once the run's
  // givens (constant, input) are recorded again: its other tensors and steps are the run's own,
  // in its order, and only their values are written, as the op of each step computes them.
  // An attention's heads go side by side as begin_heads would put them.
  void replay();

  static TensorId param(int index) { return {TensorId::parameter, index}; }
  // A tensor that takes no gradient (token ids, masks, positional encodings), named as given.
  TensorId constant(std::string_view name, Role role, const Eigen::Ref<const Mat>& value, Axis rows, Axis cols);
  // An input that takes a gradient (worked example A's X), named as given.
  TensorId input(std::string_view name, const Eigen::Ref<const Mat>& value, Axis rows, Axis cols);
  // A constant whose (rows, cols) value is written in place by `fill(Mat&)`.
  template <class Fill>
  TensorId constant(std::string_view name, Role role, int rows, int cols, Axis row_axis, Axis col_axis, Fill&& fill) {
    const TensorId id = given(name, role, rows, cols, row_axis, col_axis, /*requires_grad=*/false);
    fill(trace_.tensor(id).value);
    finite_.note_given(id, trace_.value(id));
    return id;
  }

  // Each op records one step named `op` and returns its output, whose role is the one the op
  // has in the model, or `role` where the op has several (a linear layer is a projection, a
  // feed-forward layer or the generator).  `formula`, where asked, is closer than the op
  // table's ("S' = S / √d_k" for "Y = c·X").
  TensorId embedding(std::string_view op, TensorId ids, TensorId W);
  TensorId scale(std::string_view op, TensorId X, Scalar c, Role role, std::string_view formula);
  TensorId add_positional(std::string_view op, TensorId X, TensorId PE);
  TensorId linear(std::string_view op, TensorId X, TensorId W, TensorId b, Role role, Axis out_axis = Axis::features);
  // Columns [h·d_k, (h+1)·d_k) of X, h the head entered (enter_head).
  TensorId split_head(std::string_view op, TensorId X, int d_k, Role role, std::string_view formula);
  TensorId concat_heads(std::string_view op, const std::vector<TensorId>& heads, Role role = Role::heads_concat,
                        std::string_view formula = {});
  // Rows of (1,d) tensors, one per time step, as a (T,d) tensor whose rows stand for `rows`.
  TensorId stack_rows(std::string_view op, const std::vector<TensorId>& rows, Axis row_axis, Role role);
  TensorId scores(std::string_view op, TensorId Q, TensorId K);
  TensorId mask(std::string_view op, TensorId S, TensorId M);
  TensorId softmax(std::string_view op, TensorId S);
  TensorId weighted_sum(std::string_view op, TensorId A, TensorId V, Role role = Role::head_output,
                        std::string_view formula = {});
  TensorId add(std::string_view op, TensorId A, TensorId B, Role role = Role::residual);
  TensorId layer_norm(std::string_view op, TensorId X, TensorId gamma, TensorId beta, Scalar eps);
  TensorId relu(std::string_view op, TensorId X);
  TensorId gelu(std::string_view op, TensorId X);
  TensorId tanh(std::string_view op, TensorId X, Role role);
  // H' (B,d); the gates [r | z | n | m] are kept in the step's `saved`.
  TensorId gru_cell(std::string_view op, TensorId X, TensorId H, TensorId W_x, TensorId W_h, TensorId b_x,
                    TensorId b_h);
  // E (T_q,T_k); tanh(W_s s_i + k_j) is kept in the step's `saved`, (T_q·T_k, a).
  TensorId additive_scores(std::string_view op, TensorId S, TensorId K, TensorId W_s, TensorId v);
  // Returns the loss tensor (1,1); the probabilities are recorded as a second output.
  TensorId cross_entropy(std::string_view op, TensorId Z, TensorId targets, int pad_id, std::string_view probs_name);
  // L = Σᵢⱼ Y[i,j]: returns the loss tensor (1,1).
  TensorId sum(std::string_view op, TensorId Y);

 private:
  const std::string& name_of(std::string_view op);  // scope + "." + op, in a reused buffer
  TensorId given(std::string_view name, Role role, int rows, int cols, Axis row_axis, Axis col_axis,
                 bool requires_grad);
  TensorId output(std::string_view op, Role role, int rows, int cols, Axis row_axis, Axis col_axis);
  TensorId output_like(std::string_view op, Role role, TensorId like);  // X's shape and axes
  // The op's step, its formula the op table's unless given.
  Step& step(OpKind kind, std::string_view op, std::initializer_list<TensorId> inputs,
             std::initializer_list<TensorId> outputs, std::string_view formula = {});

  // Computes step `s`, just recorded, and reads it for NaN and ±∞; between begin_heads() and
  // end_heads(), notes it for end_heads() instead.
  [[gnu::always_inline]] void compute(Step& s);
  // Computes and checks the steps noted in deferred_, head by head over the threads.
  void compute_deferred();
  // The last of the steps from `first` on that hold an attention's heads, where the heads go side
  // by side (heads_side_by_side): else `first`.
  int last_of_side_by_side_heads(int first) const;

  Trace& trace_;
  Where where_;
  bool heads_deferred_ = false;
  std::vector<int> deferred_;    // the steps end_heads() computes
  std::vector<int> head_begin_;  // end_heads(): run_each_head's scratch
  std::string scope_, layer_scope_, name_;
  std::vector<const Mat*> parts_;  // a concatenation's inputs (compute_forward)
  ForwardFiniteness finite_;
};

}  // namespace attnviz

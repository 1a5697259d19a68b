#include "model/recorder.h"

#include "model/ops.h"

#include <stdexcept>

namespace attnviz {

void Recorder::enter(Stack stack, int layer, Sublayer sublayer) {
  where_ = {stack, layer, sublayer, -1};
  if (trace_.replaying()) return;  // names are kept from the run replayed
  // "encoder.embed", "encoder.0.self_attn", "decoder.1.norm3", "encoder.norm", "output"
  scope_ = to_string(stack);
  if (layer >= 0) {
    scope_ += '.';
    scope_ += std::to_string(layer);
  }
  if (stack != Stack::output) {
    scope_ += '.';
    scope_ += to_string(sublayer);
  }
  layer_scope_.assign(scope_);
}

void Recorder::enter_head(int head) {
  where_.head = head;
  if (trace_.replaying()) return;
  scope_.assign(layer_scope_);
  scope_ += ".head";
  scope_ += std::to_string(head);
}

void Recorder::leave_head() {
  where_.head = -1;
  if (trace_.replaying()) return;
  scope_ = layer_scope_;
}

void compute_forward(Trace& trace, Step& s, std::vector<const Mat*>& parts) {
  const auto in = [&](std::size_t i) -> const Mat& { return trace.value(s.inputs[i]); };
  Mat& Y = trace.tensor(s.outputs.front()).value;
  switch (s.op) {
    case OpKind::embedding: ops::embedding_forward(Y, in(0), in(1)); break;
    case OpKind::scale: ops::scale_forward(Y, in(0), s.args.c); break;
    case OpKind::add_positional:
    case OpKind::add: ops::add_forward(Y, in(0), in(1)); break;
    case OpKind::linear: ops::linear_forward(Y, in(0), in(1), in(2)); break;
    case OpKind::split_head: ops::split_head_forward(Y, in(0), s.where.head, s.args.d_k); break;
    case OpKind::concat_heads:
    case OpKind::stack_rows:
      parts.clear();
      for (const TensorId& id : s.inputs) parts.push_back(&trace.value(id));
      if (s.op == OpKind::concat_heads)
        ops::concat_heads_forward(Y, parts);
      else
        ops::stack_rows_forward(Y, parts);
      break;
    case OpKind::scores: ops::scores_forward(Y, in(0), in(1)); break;
    case OpKind::mask: ops::mask_forward(Y, in(0), in(1)); break;
    case OpKind::softmax: ops::softmax_forward(Y, in(0), s.fully_masked_rows); break;
    case OpKind::weighted_sum: ops::weighted_sum_forward(Y, in(0), in(1)); break;
    case OpKind::layer_norm: ops::layer_norm_forward(Y, s.saved, in(0), in(1), in(2), s.args.eps); break;
    case OpKind::relu: ops::relu_forward(Y, in(0)); break;
    case OpKind::gelu: ops::gelu_forward(Y, in(0)); break;
    case OpKind::tanh: ops::tanh_forward(Y, in(0)); break;
    case OpKind::gru_cell: ops::gru_cell_forward(Y, s.saved, in(0), in(1), in(2), in(3), in(4), in(5)); break;
    case OpKind::additive_scores: ops::additive_scores_forward(Y, s.saved, in(0), in(1), in(2), in(3)); break;
    case OpKind::cross_entropy:
      ops::cross_entropy_forward(Y, trace.tensor(s.outputs[1]).value, s.saved, in(0), in(1), s.args.pad_id);
      break;
    case OpKind::sum: ops::sum_forward(Y, in(0)); break;
    case OpKind::count: throw std::logic_error("compute_forward: not an op");
  }
}

void Recorder::begin_heads(bool side_by_side) {
  heads_deferred_ = side_by_side;
  deferred_.clear();
}

inline void Recorder::compute(Step& s) {
  if (heads_deferred_) {
    deferred_.push_back(trace_.step_count() - 1);
    return;
  }
  compute_forward(trace_, s, parts_);
  finite_.check(trace_, s);
}

void Recorder::end_heads() {
  if (!heads_deferred_) return;
  heads_deferred_ = false;
  finite_.cover(trace_);
  compute_deferred();
}

// A head's steps read Q, K, V, the mask and that head's own tensors alone, never parts_.
void Recorder::compute_deferred() {
  run_each_head(
      trace_, static_cast<int>(deferred_.size()), [&](int k) { return deferred_[static_cast<std::size_t>(k)]; },
      [&](int k) {
        Step& s = trace_.step(deferred_[static_cast<std::size_t>(k)]);
        compute_forward(trace_, s, parts_);
        finite_.check_covered(trace_, s);
      },
      head_begin_);
}

// Inlined into replay(), which asks it at every step.
[[gnu::always_inline]] inline int Recorder::last_of_side_by_side_heads(int first) const {
  const int end = trace_.replayed_steps();
  const Step& split_q = trace_.step(first);  // the heads' first steps split Q, then K
  if (split_q.op != OpKind::split_head || split_q.where.head != 0 || first + 1 >= end) return first;
  const Mat &Q = trace_.value(split_q.inputs[0]), &K = trace_.value(trace_.step(first + 1).inputs[0]);
  if (!heads_side_by_side(Q.rows(), K.rows(), Q.cols())) return first;
  int last = first;
  while (last + 1 < end && trace_.step(last + 1).where.head >= 0) ++last;
  return last;
}

namespace {

// A gradient is shaped as its value (Trace::add_tensor), for run_backward to fill.
void shape_gradients(Trace& trace, const Step& s) {
  for (const TensorId& id : s.outputs) {
    Tensor& t = trace.tensor(id);
    if (t.requires_grad) reshape(t.grad, t.value.rows(), t.value.cols());
  }
}

}  // namespace

void Recorder::replay() {
  trace_.resume_replay();
  finite_.cover(trace_);
  while (trace_.step_count() < trace_.replayed_steps()) {
    const int first = trace_.step_count(), last = last_of_side_by_side_heads(first);
    if (last == first) {
      Step& s = trace_.replay_step();
      compute_forward(trace_, s, parts_);
      finite_.check_covered(trace_, s);
      shape_gradients(trace_, s);
      continue;
    }
    deferred_.clear();
    for (int i = first; i <= last; ++i) {
      trace_.replay_step();
      deferred_.push_back(i);
    }
    compute_deferred();
    for (int i : deferred_) shape_gradients(trace_, trace_.step(i));
  }
}

const std::string& Recorder::name_of(std::string_view op) {
  name_.assign(scope_);
  if (!op.empty()) {
    name_ += '.';
    name_ += op;
  }
  return name_;
}

TensorId Recorder::given(std::string_view name, Role role, int rows, int cols, Axis row_axis, Axis col_axis,
                         bool requires_grad) {
  return trace_.add_tensor(name, role, where_.head, rows, cols, row_axis, col_axis, requires_grad);
}

TensorId Recorder::constant(std::string_view name, Role role, const Eigen::Ref<const Mat>& value, Axis rows,
                            Axis cols) {
  return constant(name, role, static_cast<int>(value.rows()), static_cast<int>(value.cols()), rows, cols,
                  [&](Mat& m) { m = value; });
}

TensorId Recorder::input(std::string_view name, const Eigen::Ref<const Mat>& value, Axis rows, Axis cols) {
  const TensorId id = given(name, Role::other, static_cast<int>(value.rows()), static_cast<int>(value.cols()), rows,
                            cols, /*requires_grad=*/true);
  trace_.tensor(id).value = value;
  finite_.note_given(id, trace_.value(id));
  return id;
}

// output, output_like and step are inlined into each op's method, which calls them for every step.
[[gnu::always_inline]] inline TensorId Recorder::output(std::string_view op, Role role, int rows, int cols,
                                                        Axis row_axis, Axis col_axis) {
  const std::string_view name = trace_.replaying() ? std::string_view{} : std::string_view{name_of(op)};
  return given(name, role, rows, cols, row_axis, col_axis, /*requires_grad=*/true);
}

[[gnu::always_inline]] inline TensorId Recorder::output_like(std::string_view op, Role role, TensorId like) {
  const Tensor& x = trace_.tensor(like);
  return output(op, role, static_cast<int>(x.value.rows()), static_cast<int>(x.value.cols()), x.rows, x.cols);
}

[[gnu::always_inline]] inline Step& Recorder::step(OpKind kind, std::string_view op,
                                                   std::initializer_list<TensorId> inputs,
                                                   std::initializer_list<TensorId> outputs, std::string_view formula) {
  Step& s = trace_.add_step(kind, Phase::forward);
  if (trace_.replaying()) return s;  // label, location, inputs and outputs as in the run replayed
  s.label.assign(name_of(op));
  s.where = where_;
  s.inputs.assign(inputs);
  s.outputs.assign(outputs);
  s.formula = formula.empty() ? op_info(kind).forward_formula : formula;
  return s;
}

#define ROWS(id) static_cast<int>(trace_.value(id).rows())
#define COLS(id) static_cast<int>(trace_.value(id).cols())

TensorId Recorder::embedding(std::string_view op, TensorId ids, TensorId W) {
  TensorId Y = output(op, Role::embedding, ROWS(ids), COLS(W), trace_.tensor(ids).rows, Axis::features);
  compute(step(OpKind::embedding, op, {ids, W}, {Y}));
  return Y;
}

TensorId Recorder::scale(std::string_view op, TensorId X, Scalar c, Role role, std::string_view formula) {
  TensorId Y = output_like(op, role, X);
  Step& s = step(OpKind::scale, op, {X}, {Y}, formula);
  s.args.c = c;
  compute(s);
  return Y;
}

TensorId Recorder::add_positional(std::string_view op, TensorId X, TensorId PE) {
  TensorId Y = output_like(op, Role::embedded, X);
  compute(step(OpKind::add_positional, op, {X, PE}, {Y}));
  return Y;
}

TensorId Recorder::linear(std::string_view op, TensorId X, TensorId W, TensorId b, Role role, Axis out_axis) {
  TensorId Y = output(op, role, ROWS(X), ROWS(W), trace_.tensor(X).rows, out_axis);
  compute(step(OpKind::linear, op, {X, W, b}, {Y}));
  return Y;
}

TensorId Recorder::split_head(std::string_view op, TensorId X, int d_k, Role role, std::string_view formula) {
  TensorId Y = output(op, role, ROWS(X), d_k, trace_.tensor(X).rows, Axis::features);
  Step& s = step(OpKind::split_head, op, {X}, {Y}, formula);
  s.args.d_k = d_k;
  compute(s);
  return Y;
}

TensorId Recorder::concat_heads(std::string_view op, const std::vector<TensorId>& heads, Role role,
                                std::string_view formula) {
  const int d_k = COLS(heads.front());
  TensorId Y = output(op, role, ROWS(heads.front()), d_k * static_cast<int>(heads.size()),
                      trace_.tensor(heads.front()).rows, Axis::features);
  Step& s = step(OpKind::concat_heads, op, {}, {Y}, formula);
  if (!trace_.replaying()) s.inputs = heads;
  s.args.d_k = d_k;
  compute(s);
  return Y;
}

TensorId Recorder::scores(std::string_view op, TensorId Q, TensorId K) {
  TensorId S = output(op, Role::scores, ROWS(Q), ROWS(K), trace_.tensor(Q).rows, trace_.tensor(K).rows);
  compute(step(OpKind::scores, op, {Q, K}, {S}));
  return S;
}

TensorId Recorder::mask(std::string_view op, TensorId S, TensorId M) {
  TensorId Y = output_like(op, Role::masked_scores, S);
  compute(step(OpKind::mask, op, {S, M}, {Y}));
  return Y;
}

TensorId Recorder::softmax(std::string_view op, TensorId S) {
  TensorId A = output_like(op, Role::attention_weights, S);
  compute(step(OpKind::softmax, op, {S}, {A}));
  return A;
}

TensorId Recorder::weighted_sum(std::string_view op, TensorId A, TensorId V, Role role, std::string_view formula) {
  TensorId O = output(op, role, ROWS(A), COLS(V), trace_.tensor(A).rows, Axis::features);
  compute(step(OpKind::weighted_sum, op, {A, V}, {O}, formula));
  return O;
}

TensorId Recorder::add(std::string_view op, TensorId A, TensorId B, Role role) {
  TensorId Y = output_like(op, role, A);
  compute(step(OpKind::add, op, {A, B}, {Y}));
  return Y;
}

TensorId Recorder::layer_norm(std::string_view op, TensorId X, TensorId gamma, TensorId beta, Scalar eps) {
  TensorId Y = output_like(op, Role::layer_norm, X);
  Step& s = step(OpKind::layer_norm, op, {X, gamma, beta}, {Y});
  s.args.eps = eps;
  compute(s);
  return Y;
}

TensorId Recorder::relu(std::string_view op, TensorId X) {
  TensorId Y = output_like(op, Role::ffn_activation, X);
  compute(step(OpKind::relu, op, {X}, {Y}));
  return Y;
}

TensorId Recorder::gelu(std::string_view op, TensorId X) {
  TensorId Y = output_like(op, Role::ffn_gelu, X);
  compute(step(OpKind::gelu, op, {X}, {Y}));
  return Y;
}

TensorId Recorder::stack_rows(std::string_view op, const std::vector<TensorId>& rows, Axis row_axis, Role role) {
  TensorId Y = output(op, role, static_cast<int>(rows.size()), COLS(rows.front()), row_axis, Axis::features);
  Step& s = step(OpKind::stack_rows, op, {}, {Y});
  if (!trace_.replaying()) s.inputs = rows;
  compute(s);
  return Y;
}

TensorId Recorder::tanh(std::string_view op, TensorId X, Role role) {
  TensorId Y = output_like(op, role, X);
  compute(step(OpKind::tanh, op, {X}, {Y}));
  return Y;
}

TensorId Recorder::gru_cell(std::string_view op, TensorId X, TensorId H, TensorId W_x, TensorId W_h, TensorId b_x,
                            TensorId b_h) {
  TensorId Y = output_like(op, Role::recurrent_state, H);
  compute(step(OpKind::gru_cell, op, {X, H, W_x, W_h, b_x, b_h}, {Y}));
  return Y;
}

TensorId Recorder::additive_scores(std::string_view op, TensorId S, TensorId K, TensorId W_s, TensorId v) {
  TensorId E = output(op, Role::energies, ROWS(S), ROWS(K), trace_.tensor(S).rows, trace_.tensor(K).rows);
  compute(step(OpKind::additive_scores, op, {S, K, W_s, v}, {E}));
  return E;
}

TensorId Recorder::cross_entropy(std::string_view op, TensorId Z, TensorId targets, int pad_id,
                                 std::string_view probs_name) {
  const Tensor& z = trace_.tensor(Z);
  TensorId L = output(op, Role::loss, 1, 1, Axis::none, Axis::none);
  TensorId P = given(probs_name, Role::probabilities, static_cast<int>(z.value.rows()),
                     static_cast<int>(z.value.cols()), z.rows, z.cols, /*requires_grad=*/false);
  Step& s = step(OpKind::cross_entropy, op, {Z, targets}, {L, P});
  s.args.pad_id = pad_id;
  compute(s);
  return L;
}

TensorId Recorder::sum(std::string_view op, TensorId Y) {
  TensorId L = output(op, Role::loss, 1, 1, Axis::none, Axis::none);
  compute(step(OpKind::sum, op, {Y}, {L}));
  return L;
}

#undef ROWS
#undef COLS

}  // namespace attnviz

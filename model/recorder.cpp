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

namespace {

// Y = h.op(A[, B]); a softmax lists its rows of −∞ alone in `fully_masked_rows`.
[[gnu::always_inline]] inline void compute_head_op(Trace& trace, const HeadOp& h, std::vector<int>* fully_masked_rows) {
  Mat& Y = trace.tensor(h.out).value;
  const Mat& A = trace.value(h.a);
  switch (h.op) {
    case OpKind::split_head: ops::split_head_forward(Y, A, h.head, h.d_k); break;
    case OpKind::scores: ops::scores_forward(Y, A, trace.value(h.b)); break;
    case OpKind::scale: ops::scale_forward(Y, A, h.c); break;
    case OpKind::mask: ops::mask_forward(Y, A, trace.value(h.b)); break;
    case OpKind::softmax: ops::softmax_forward(Y, A, *fully_masked_rows); break;
    case OpKind::weighted_sum: ops::weighted_sum_forward(Y, A, trace.value(h.b)); break;
    default: throw std::logic_error(std::string("not an op of a head: ") + op_info(h.op).name);
  }
}

}  // namespace

void Recorder::begin_heads(bool side_by_side) {
  heads_deferred_ = side_by_side;
  deferred_.clear();
}

inline void Recorder::check_or_defer(const HeadOp& h, Step& s) {
  if (heads_deferred_)
    deferred_.push_back({trace_.step_count() - 1, h});
  else
    finite_.check(trace_, s);
}

void Recorder::end_heads() {
  if (!heads_deferred_) return;
  heads_deferred_ = false;
  finite_.cover(trace_);
  run_each_head(
      trace_, static_cast<int>(deferred_.size()), [&](int k) { return deferred_[static_cast<std::size_t>(k)].step; },
      [&](int k) {
        const Deferred& d = deferred_[static_cast<std::size_t>(k)];
        Step& s = trace_.step(d.step);
        compute_head_op(trace_, d.op, &s.fully_masked_rows);
        finite_.check_covered(trace_, s);
      },
      head_begin_);
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

#define VAL(id) trace_.value(id)
#define OUT(id) trace_.tensor(id).value
#define ROWS(id) static_cast<int>(trace_.value(id).rows())
#define COLS(id) static_cast<int>(trace_.value(id).cols())

TensorId Recorder::embedding(std::string_view op, TensorId ids, TensorId W) {
  TensorId Y = output(op, Role::embedding, ROWS(ids), COLS(W), trace_.tensor(ids).rows, Axis::features);
  ops::embedding_forward(OUT(Y), VAL(ids), VAL(W));
  finite_.check(trace_, step(OpKind::embedding, op, {ids, W}, {Y}));
  return Y;
}

TensorId Recorder::scale(std::string_view op, TensorId X, Scalar c, Role role, std::string_view formula) {
  TensorId Y = output_like(op, role, X);
  const HeadOp h{.op = OpKind::scale, .out = Y, .a = X, .c = c};
  if (!heads_deferred_) compute_head_op(trace_, h, nullptr);
  Step& s = step(OpKind::scale, op, {X}, {Y}, formula);
  s.args.c = c;
  check_or_defer(h, s);
  return Y;
}

TensorId Recorder::add_positional(std::string_view op, TensorId X, TensorId PE) {
  TensorId Y = output_like(op, Role::embedded, X);
  ops::add_forward(OUT(Y), VAL(X), VAL(PE));
  finite_.check(trace_, step(OpKind::add_positional, op, {X, PE}, {Y}));
  return Y;
}

TensorId Recorder::linear(std::string_view op, TensorId X, TensorId W, TensorId b, Role role, Axis out_axis) {
  TensorId Y = output(op, role, ROWS(X), ROWS(W), trace_.tensor(X).rows, out_axis);
  ops::linear_forward(OUT(Y), VAL(X), VAL(W), VAL(b));
  finite_.check(trace_, step(OpKind::linear, op, {X, W, b}, {Y}));
  return Y;
}

TensorId Recorder::split_head(std::string_view op, TensorId X, int d_k, Role role, std::string_view formula) {
  TensorId Y = output(op, role, ROWS(X), d_k, trace_.tensor(X).rows, Axis::features);
  const HeadOp h{.op = OpKind::split_head, .out = Y, .a = X, .head = where_.head, .d_k = d_k};
  if (!heads_deferred_) compute_head_op(trace_, h, nullptr);
  Step& s = step(OpKind::split_head, op, {X}, {Y}, formula);
  s.args.d_k = d_k;
  check_or_defer(h, s);
  return Y;
}

TensorId Recorder::concat_heads(std::string_view op, const std::vector<TensorId>& heads, Role role,
                                std::string_view formula) {
  const int d_k = COLS(heads.front());
  TensorId Y = output(op, role, ROWS(heads.front()), d_k * static_cast<int>(heads.size()),
                      trace_.tensor(heads.front()).rows, Axis::features);
  parts_.clear();
  parts_.reserve(heads.size());
  for (TensorId h : heads) parts_.push_back(&VAL(h));
  ops::concat_heads_forward(OUT(Y), parts_);
  Step& s = step(OpKind::concat_heads, op, {}, {Y}, formula);
  if (!trace_.replaying()) s.inputs = heads;
  s.args.d_k = d_k;
  finite_.check(trace_, s);
  return Y;
}

TensorId Recorder::scores(std::string_view op, TensorId Q, TensorId K) {
  TensorId S = output(op, Role::scores, ROWS(Q), ROWS(K), trace_.tensor(Q).rows, trace_.tensor(K).rows);
  const HeadOp h{.op = OpKind::scores, .out = S, .a = Q, .b = K};
  if (!heads_deferred_) compute_head_op(trace_, h, nullptr);
  check_or_defer(h, step(OpKind::scores, op, {Q, K}, {S}));
  return S;
}

TensorId Recorder::mask(std::string_view op, TensorId S, TensorId M) {
  TensorId Y = output_like(op, Role::masked_scores, S);
  const HeadOp h{.op = OpKind::mask, .out = Y, .a = S, .b = M};
  if (!heads_deferred_) compute_head_op(trace_, h, nullptr);
  check_or_defer(h, step(OpKind::mask, op, {S, M}, {Y}));
  return Y;
}

TensorId Recorder::softmax(std::string_view op, TensorId S) {
  TensorId A = output_like(op, Role::attention_weights, S);
  const HeadOp h{.op = OpKind::softmax, .out = A, .a = S};
  Step& s = step(OpKind::softmax, op, {S}, {A});
  if (!heads_deferred_) compute_head_op(trace_, h, &s.fully_masked_rows);
  check_or_defer(h, s);
  return A;
}

TensorId Recorder::weighted_sum(std::string_view op, TensorId A, TensorId V, Role role, std::string_view formula) {
  TensorId O = output(op, role, ROWS(A), COLS(V), trace_.tensor(A).rows, Axis::features);
  const HeadOp h{.op = OpKind::weighted_sum, .out = O, .a = A, .b = V};
  if (!heads_deferred_) compute_head_op(trace_, h, nullptr);
  check_or_defer(h, step(OpKind::weighted_sum, op, {A, V}, {O}, formula));
  return O;
}

TensorId Recorder::add(std::string_view op, TensorId A, TensorId B, Role role) {
  TensorId Y = output_like(op, role, A);
  ops::add_forward(OUT(Y), VAL(A), VAL(B));
  finite_.check(trace_, step(OpKind::add, op, {A, B}, {Y}));
  return Y;
}

TensorId Recorder::layer_norm(std::string_view op, TensorId X, TensorId gamma, TensorId beta, Scalar eps) {
  TensorId Y = output_like(op, Role::layer_norm, X);
  Step& s = step(OpKind::layer_norm, op, {X, gamma, beta}, {Y});
  ops::layer_norm_forward(OUT(Y), s.saved, VAL(X), VAL(gamma), VAL(beta), eps);
  s.args.eps = eps;
  finite_.check(trace_, s);
  return Y;
}

TensorId Recorder::relu(std::string_view op, TensorId X) {
  TensorId Y = output_like(op, Role::ffn_activation, X);
  ops::relu_forward(OUT(Y), VAL(X));
  finite_.check(trace_, step(OpKind::relu, op, {X}, {Y}));
  return Y;
}

TensorId Recorder::gelu(std::string_view op, TensorId X) {
  TensorId Y = output_like(op, Role::ffn_gelu, X);
  ops::gelu_forward(OUT(Y), VAL(X));
  finite_.check(trace_, step(OpKind::gelu, op, {X}, {Y}));
  return Y;
}

TensorId Recorder::stack_rows(std::string_view op, const std::vector<TensorId>& rows, Axis row_axis, Role role) {
  TensorId Y = output(op, role, static_cast<int>(rows.size()), COLS(rows.front()), row_axis, Axis::features);
  parts_.clear();
  for (TensorId r : rows) parts_.push_back(&VAL(r));
  ops::stack_rows_forward(OUT(Y), parts_);
  Step& s = step(OpKind::stack_rows, op, {}, {Y});
  if (!trace_.replaying()) s.inputs = rows;
  finite_.check(trace_, s);
  return Y;
}

TensorId Recorder::tanh(std::string_view op, TensorId X, Role role) {
  TensorId Y = output_like(op, role, X);
  ops::tanh_forward(OUT(Y), VAL(X));
  finite_.check(trace_, step(OpKind::tanh, op, {X}, {Y}));
  return Y;
}

TensorId Recorder::gru_cell(std::string_view op, TensorId X, TensorId H, TensorId W_x, TensorId W_h, TensorId b_x,
                            TensorId b_h) {
  TensorId Y = output_like(op, Role::recurrent_state, H);
  Step& s = step(OpKind::gru_cell, op, {X, H, W_x, W_h, b_x, b_h}, {Y});
  ops::gru_cell_forward(OUT(Y), s.saved, VAL(X), VAL(H), VAL(W_x), VAL(W_h), VAL(b_x), VAL(b_h));
  finite_.check(trace_, s);
  return Y;
}

TensorId Recorder::additive_scores(std::string_view op, TensorId S, TensorId K, TensorId W_s, TensorId v) {
  TensorId E = output(op, Role::energies, ROWS(S), ROWS(K), trace_.tensor(S).rows, trace_.tensor(K).rows);
  Step& s = step(OpKind::additive_scores, op, {S, K, W_s, v}, {E});
  ops::additive_scores_forward(OUT(E), s.saved, VAL(S), VAL(K), VAL(W_s), VAL(v));
  finite_.check(trace_, s);
  return E;
}

TensorId Recorder::cross_entropy(std::string_view op, TensorId Z, TensorId targets, int pad_id,
                                 std::string_view probs_name) {
  const Tensor& z = trace_.tensor(Z);
  TensorId L = output(op, Role::loss, 1, 1, Axis::none, Axis::none);
  TensorId P = given(probs_name, Role::probabilities, static_cast<int>(z.value.rows()),
                     static_cast<int>(z.value.cols()), z.rows, z.cols, /*requires_grad=*/false);
  Step& s = step(OpKind::cross_entropy, op, {Z, targets}, {L, P});
  ops::cross_entropy_forward(OUT(L), OUT(P), s.saved, VAL(Z), VAL(targets), pad_id);
  s.args.pad_id = pad_id;
  finite_.check(trace_, s);
  return L;
}

TensorId Recorder::sum(std::string_view op, TensorId Y) {
  TensorId L = output(op, Role::loss, 1, 1, Axis::none, Axis::none);
  ops::sum_forward(OUT(L), VAL(Y));
  finite_.check(trace_, step(OpKind::sum, op, {Y}, {L}));
  return L;
}

#undef VAL
#undef OUT
#undef ROWS
#undef COLS

}  // namespace attnviz

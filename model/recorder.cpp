#include "model/recorder.h"

#include "model/ops.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

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

const std::string& Recorder::name_of(std::string_view op) {
  name_.assign(scope_);
  if (!op.empty()) {
    name_ += '.';
    name_ += op;
  }
  return name_;
}

TensorId Recorder::constant(std::string_view name, const Eigen::Ref<const Mat>& value, Axis rows, Axis cols) {
  return constant(name, static_cast<int>(value.rows()), static_cast<int>(value.cols()), rows, cols,
                  [&](Mat& m) { m = value; });
}

TensorId Recorder::input(std::string_view name, const Eigen::Ref<const Mat>& value, Axis rows, Axis cols) {
  const TensorId id = trace_.add_tensor(name, static_cast<int>(value.rows()), static_cast<int>(value.cols()), rows, cols);
  trace_.tensor(id).value = value;
  note_constant(id);
  return id;
}

void Recorder::note_constant(TensorId id) {
  known_.resize(static_cast<std::size_t>(id.index) + 1);
  known_[static_cast<std::size_t>(id.index)] = all_finite(trace_.value(id)) ? Known::finite : Known::nothing;
}

TensorId Recorder::output(std::string_view op, int rows, int cols, Axis row_axis, Axis col_axis) {
  const std::string_view name = trace_.replaying() ? std::string_view{} : std::string_view{name_of(op)};
  return trace_.add_tensor(name, rows, cols, row_axis, col_axis);
}

Step& Recorder::step(OpKind kind, std::string_view op, std::initializer_list<TensorId> inputs,
                     std::initializer_list<TensorId> outputs, std::string_view formula) {
  Step& s = trace_.add_step(kind, Phase::forward);
  if (trace_.replaying()) return s;  // label, location, inputs and outputs as in the run replayed
  s.label.assign(name_of(op));
  s.where = where_;
  s.inputs.assign(inputs);
  s.outputs.assign(outputs);
  s.formula = formula;
  return s;
}

namespace {
// True when every element is finite or −∞ (a masked score), tested on the bits as all_finite is.
bool all_finite_or_masked(const Mat& m) {
  constexpr std::uint64_t exponent = 0x7ff0000000000000, minus_infinity = 0xfff0000000000000;
  bool bad = false;
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(m.data()[i]);
    bad |= (bits & exponent) == exponent && bits != minus_infinity;
  }
  return !bad;
}
}  // namespace

// A step whose output has no NaN or ±∞ when its inputs have none, whatever their values: a copy
// (split, concat), a mask, a softmax (weights in [0, 1]; −∞ scores give 0), a ReLU or GELU, a scaling
// by |c| ≤ 1, a sum weighted by softmax weights (|O[i,:]| ≤ max |V|).  Its output need not be
// read again when its inputs were found finite.
bool Recorder::surely_finite(const Step& s) const {
  switch (s.op) {
    case OpKind::split_head:
    case OpKind::concat_heads:
    case OpKind::mask:
    case OpKind::softmax:
    case OpKind::weighted_sum:
    case OpKind::relu:
    case OpKind::gelu: break;  // |GELU(x)| ≤ |x|
    case OpKind::scale:
      if (std::abs(s.factor) <= 1) break;
      return false;
    default: return false;
  }
  for (std::size_t i = 0; i < s.inputs.size(); ++i) {
    const TensorId id = s.inputs[i];
    if (id.kind != TensorId::activation) return false;
    const Known k = known_[static_cast<std::size_t>(id.index)];
    const bool ok = s.op == OpKind::softmax && k == Known::finite_or_masked ? true
                    : s.op == OpKind::weighted_sum && i == 0           ? k == Known::weights
                                                                       : k == Known::finite || k == Known::weights;
    if (!ok) return false;
  }
  return true;
}

// The first output element that is NaN or ±∞; a masked score's −∞ is by design.
void Recorder::check_finite(Step& s) {
  known_.resize(static_cast<std::size_t>(trace_.tensor_count()));
  const bool surely = surely_finite(s);
  const Known known = s.op == OpKind::mask      ? Known::finite_or_masked
                      : s.op == OpKind::softmax ? Known::weights
                                                : Known::finite;
  for (TensorId id : s.outputs) known_[static_cast<std::size_t>(id.index)] = known;
  if (surely) return;
  for (TensorId id : s.outputs) {
    const Mat& m = trace_.value(id);
    if (s.op == OpKind::mask ? all_finite_or_masked(m) : all_finite(m)) continue;
    for (Eigen::Index r = 0; r < m.rows(); ++r)
      for (Eigen::Index c = 0; c < m.cols(); ++c) {
        const Scalar v = m(r, c);
        if (std::isfinite(v)) continue;
        if (s.op == OpKind::mask && v == -std::numeric_limits<Scalar>::infinity()) continue;
        s.non_finite = NonFinite{id, static_cast<int>(r), static_cast<int>(c), v};
        for (TensorId out : s.outputs) known_[static_cast<std::size_t>(out.index)] = Known::nothing;
        return;
      }
  }
}

#define VAL(id) trace_.value(id)
#define OUT(id) trace_.tensor(id).value

TensorId Recorder::embedding(std::string_view op, TensorId ids, TensorId W) {
  const Tensor& w = trace_.tensor(W);
  TensorId Y = output(op, static_cast<int>(VAL(ids).rows()), static_cast<int>(w.value.cols()),
                      trace_.tensor(ids).rows, Axis::features);
  ops::embedding_forward(OUT(Y), VAL(ids), VAL(W));
  check_finite(step(OpKind::embedding, op, {ids, W}, {Y}, "E[t] = W_emb[id_t]"));
  return Y;
}

TensorId Recorder::scale(std::string_view op, TensorId X, Scalar c, std::string_view formula) {
  const Tensor& x = trace_.tensor(X);
  TensorId Y = output(op, static_cast<int>(x.value.rows()), static_cast<int>(x.value.cols()), x.rows, x.cols);
  ops::scale_forward(OUT(Y), VAL(X), c);
  Step& s = step(OpKind::scale, op, {X}, {Y}, formula);
  s.factor = c;
  check_finite(s);
  return Y;
}

TensorId Recorder::add_positional(std::string_view op, TensorId X, TensorId PE) {
  const Tensor& x = trace_.tensor(X);
  TensorId Y = output(op, static_cast<int>(x.value.rows()), static_cast<int>(x.value.cols()), x.rows, x.cols);
  ops::add_forward(OUT(Y), VAL(X), VAL(PE));
  check_finite(step(OpKind::add_positional, op, {X, PE}, {Y}, "X = E + PE"));
  return Y;
}

TensorId Recorder::linear(std::string_view op, TensorId X, TensorId W, TensorId b, Axis out_axis) {
  TensorId Y = output(op, static_cast<int>(VAL(X).rows()), static_cast<int>(VAL(W).rows()),
                      trace_.tensor(X).rows, out_axis);
  ops::linear_forward(OUT(Y), VAL(X), VAL(W), VAL(b));
  check_finite(step(OpKind::linear, op, {X, W, b}, {Y}, "Y = X Wᵀ + b"));
  return Y;
}

TensorId Recorder::split_head(std::string_view op, TensorId X, int head, int d_k, std::string_view formula) {
  TensorId Y = output(op, static_cast<int>(VAL(X).rows()), d_k, trace_.tensor(X).rows, Axis::features);
  ops::split_head_forward(OUT(Y), VAL(X), head, d_k);
  Step& s = step(OpKind::split_head, op, {X}, {Y}, formula);
  s.factor = d_k;
  check_finite(s);
  return Y;
}

TensorId Recorder::concat_heads(std::string_view op, const std::vector<TensorId>& heads) {
  const int d_k = static_cast<int>(VAL(heads.front()).cols());
  TensorId Y = output(op, static_cast<int>(VAL(heads.front()).rows()), d_k * static_cast<int>(heads.size()),
                      trace_.tensor(heads.front()).rows, Axis::features);
  parts_.clear();
  parts_.reserve(heads.size());
  for (TensorId h : heads) parts_.push_back(&VAL(h));
  ops::concat_heads_forward(OUT(Y), parts_);
  Step& s = step(OpKind::concat_heads, op, {}, {Y}, "H = [O₀ | O₁ | … | O_{h−1}]");
  if (!trace_.replaying()) s.inputs = heads;
  s.factor = d_k;
  check_finite(s);
  return Y;
}

TensorId Recorder::scores(std::string_view op, TensorId Q, TensorId K) {
  TensorId S = output(op, static_cast<int>(VAL(Q).rows()), static_cast<int>(VAL(K).rows()),
                      trace_.tensor(Q).rows, trace_.tensor(K).rows);
  ops::scores_forward(OUT(S), VAL(Q), VAL(K));
  check_finite(step(OpKind::scores, op, {Q, K}, {S}, "S = Q Kᵀ"));
  return S;
}

TensorId Recorder::mask(std::string_view op, TensorId S, TensorId M) {
  const Tensor& s = trace_.tensor(S);
  TensorId Y = output(op, static_cast<int>(s.value.rows()), static_cast<int>(s.value.cols()), s.rows, s.cols);
  ops::mask_forward(OUT(Y), VAL(S), VAL(M));
  check_finite(step(OpKind::mask, op, {S, M}, {Y}, "S'[i,j] = S[i,j] if M[i,j] = 1, −∞ if M[i,j] = 0"));
  return Y;
}

TensorId Recorder::softmax(std::string_view op, TensorId S) {
  const Tensor& s = trace_.tensor(S);
  TensorId A = output(op, static_cast<int>(s.value.rows()), static_cast<int>(s.value.cols()), s.rows, s.cols);
  Step& st = step(OpKind::softmax, op, {S}, {A}, "A[i,j] = exp(S[i,j]) / Σₖ exp(S[i,k])");
  ops::softmax_forward(OUT(A), VAL(S), st.fully_masked_rows);
  check_finite(st);
  return A;
}

TensorId Recorder::weighted_sum(std::string_view op, TensorId A, TensorId V) {
  TensorId O = output(op, static_cast<int>(VAL(A).rows()), static_cast<int>(VAL(V).cols()),
                      trace_.tensor(A).rows, Axis::features);
  ops::weighted_sum_forward(OUT(O), VAL(A), VAL(V));
  check_finite(step(OpKind::weighted_sum, op, {A, V}, {O}, "O = A V"));
  return O;
}

TensorId Recorder::add(std::string_view op, TensorId A, TensorId B) {
  const Tensor& a = trace_.tensor(A);
  TensorId Y = output(op, static_cast<int>(a.value.rows()), static_cast<int>(a.value.cols()), a.rows, a.cols);
  ops::add_forward(OUT(Y), VAL(A), VAL(B));
  check_finite(step(OpKind::add, op, {A, B}, {Y}, "Y = x + Sublayer(x)"));
  return Y;
}

TensorId Recorder::layer_norm(std::string_view op, TensorId X, TensorId gamma, TensorId beta, Scalar eps) {
  const Tensor& x = trace_.tensor(X);
  TensorId Y = output(op, static_cast<int>(x.value.rows()), static_cast<int>(x.value.cols()), x.rows, x.cols);
  Step& s = step(OpKind::layer_norm, op, {X, gamma, beta}, {Y}, "Y = γ ⊙ (X − μ) / √(σ² + ε) + β");
  ops::layer_norm_forward(OUT(Y), s.saved, VAL(X), VAL(gamma), VAL(beta), eps);
  s.factor = eps;
  check_finite(s);
  return Y;
}

TensorId Recorder::relu(std::string_view op, TensorId X) {
  const Tensor& x = trace_.tensor(X);
  TensorId Y = output(op, static_cast<int>(x.value.rows()), static_cast<int>(x.value.cols()), x.rows, x.cols);
  ops::relu_forward(OUT(Y), VAL(X));
  check_finite(step(OpKind::relu, op, {X}, {Y}, "Y = max(0, X)"));
  return Y;
}

TensorId Recorder::gelu(std::string_view op, TensorId X) {
  const Tensor& x = trace_.tensor(X);
  TensorId Y = output(op, static_cast<int>(x.value.rows()), static_cast<int>(x.value.cols()), x.rows, x.cols);
  ops::gelu_forward(OUT(Y), VAL(X));
  check_finite(step(OpKind::gelu, op, {X}, {Y}, "Y = X · Φ(X),  Φ(x) = ½ (1 + erf(x / √2))"));
  return Y;
}

TensorId Recorder::cross_entropy(std::string_view op, TensorId Z, TensorId targets, int pad_id,
                                 std::string_view probs_name) {
  const Tensor& z = trace_.tensor(Z);
  const int rows = static_cast<int>(z.value.rows()), cols = static_cast<int>(z.value.cols());
  const Axis row_axis = z.rows, col_axis = z.cols;
  TensorId L = output(op, 1, 1, Axis::none, Axis::none);
  TensorId P = trace_.add_tensor(probs_name, rows, cols, row_axis, col_axis, /*requires_grad=*/false);
  Step& s = step(OpKind::cross_entropy, op, {Z, targets}, {L, P},
                 "L = −(1/N) Σₜ log softmax(Z)[t, yₜ]   (N = non-padding targets)");
  ops::cross_entropy_forward(OUT(L), OUT(P), s.saved, VAL(Z), VAL(targets), pad_id);
  s.factor = pad_id;
  check_finite(s);
  return L;
}

TensorId Recorder::sum(std::string_view op, TensorId Y) {
  TensorId L = output(op, 1, 1, Axis::none, Axis::none);
  ops::sum_forward(OUT(L), VAL(Y));
  check_finite(step(OpKind::sum, op, {Y}, {L}, "L = Σᵢⱼ Y[i,j]"));
  return L;
}

#undef VAL
#undef OUT

}  // namespace attnviz

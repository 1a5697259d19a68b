// run_backward: walks the forward steps in reverse and appends one backward step for each.
// Every step writes ∂L/∂input of this step alone into its own `input_grads` (its share of the
// chain rule), then adds that share into the input's total gradient: a tensor read by several
// steps (x in a residual, the encoder output in every cross-attention) sums their shares.

#include "model/ops.h"
#include "model/parameters.h"
#include "model/transformer.h"

#include <cmath>
#include <stdexcept>

namespace attnviz {

namespace {

std::string_view backward_formula(OpKind op) {
  switch (op) {
    case OpKind::embedding: return "∂L/∂W_emb[id_t] += ∂L/∂E[t]";
    case OpKind::scale: return "∂L/∂X = c · ∂L/∂Y";
    case OpKind::add_positional: return "∂L/∂E = ∂L/∂X   (PE is fixed)";
    case OpKind::linear: return "∂L/∂X = ∂L/∂Y W ;  ∂L/∂W = (∂L/∂Y)ᵀ X ;  ∂L/∂b = Σₜ ∂L/∂Y[t]";
    case OpKind::split_head: return "∂L/∂Q[:, h·d_k : (h+1)·d_k] = ∂L/∂Q_h";
    case OpKind::concat_heads: return "∂L/∂O_h = ∂L/∂H[:, h·d_k : (h+1)·d_k]";
    case OpKind::scores: return "∂L/∂Q = ∂L/∂S K ;  ∂L/∂K = (∂L/∂S)ᵀ Q";
    case OpKind::mask: return "∂L/∂S = ∂L/∂S' ⊙ M   (masked scores get no gradient)";
    case OpKind::softmax: return "∂L/∂S[i,j] = A[i,j] (∂L/∂A[i,j] − Σₖ ∂L/∂A[i,k] A[i,k])";
    case OpKind::weighted_sum: return "∂L/∂A = ∂L/∂O Vᵀ ;  ∂L/∂V = Aᵀ ∂L/∂O";
    case OpKind::add: return "∂L/∂x = ∂L/∂Y ;  ∂L/∂Sublayer(x) = ∂L/∂Y";
    case OpKind::layer_norm: return "∂L/∂X = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / σ,  g = γ ⊙ ∂L/∂Y";
    case OpKind::relu: return "∂L/∂X = ∂L/∂Y ⊙ [X > 0]";
    case OpKind::cross_entropy: return "∂L/∂Z[t] = (softmax(Z)[t] − onehot(yₜ)) / N";
  }
  return "";
}

class Backward {
 public:
  explicit Backward(Trace& trace) : t_(trace) {}

  void step(int forward_index) {
    Step& b = t_.add_step(t_.step(forward_index).op, Phase::backward);
    const Step& f = t_.step(forward_index);
    b.label = f.label;
    b.where = f.where;
    b.inputs = f.inputs;
    b.outputs = f.outputs;
    b.formula = backward_formula(f.op);
    b.factor = f.factor;
    b.twin = forward_index;
    const int self = t_.step_count() - 1;
    t_.step(forward_index).twin = self;

    // A share of zeros for every activation input that takes a gradient.
    b.input_grads.resize(b.inputs.size());
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      const Tensor& in = t_.tensor(b.inputs[i]);
      if (b.inputs[i].kind == TensorId::activation && in.requires_grad)
        b.input_grads[i].setZero(in.value.rows(), in.value.cols());
      else
        b.input_grads[i].resize(0, 0);  // a reused step may hold a share from another op
    }
    compute(b);
    for (std::size_t i = 0; i < b.inputs.size(); ++i)
      if (b.input_grads[i].size() > 0) t_.tensor(b.inputs[i]).grad += b.input_grads[i];
    check_finite(b);
  }

 private:
  // ∂L/∂input of this step: the activation's share, or the parameter's gradient itself.
  Mat& g(Step& b, std::size_t i) {
    if (b.inputs[i].kind == TensorId::parameter) return t_.tensor(b.inputs[i]).grad;
    return b.input_grads[i];
  }
  const Mat& x(const Step& b, std::size_t i) { return t_.value(b.inputs[i]); }
  const Mat& dy(const Step& b) { return t_.grad(b.outputs[0]); }

  void compute(Step& b) {
    switch (b.op) {
      case OpKind::embedding: ops::embedding_backward(g(b, 1), dy(b), x(b, 0)); break;
      case OpKind::scale: ops::scale_backward(g(b, 0), dy(b), b.factor); break;
      case OpKind::add_positional: ops::identity_backward(g(b, 0), dy(b)); break;
      case OpKind::linear: ops::linear_backward(g(b, 0), g(b, 1), g(b, 2), dy(b), x(b, 0), x(b, 1)); break;
      case OpKind::split_head: {
        const int d_k = static_cast<int>(b.factor);
        ops::split_head_backward(g(b, 0), dy(b), b.where.head, d_k);
        break;
      }
      case OpKind::concat_heads:
        for (std::size_t h = 0; h < b.inputs.size(); ++h)
          ops::concat_heads_backward(g(b, h), dy(b), static_cast<int>(h), static_cast<int>(b.factor));
        break;
      case OpKind::scores: ops::scores_backward(g(b, 0), g(b, 1), dy(b), x(b, 0), x(b, 1)); break;
      case OpKind::mask: ops::mask_backward(g(b, 0), dy(b), x(b, 1)); break;
      case OpKind::softmax: ops::softmax_backward(g(b, 0), dy(b), t_.value(b.outputs[0])); break;
      case OpKind::weighted_sum: ops::weighted_sum_backward(g(b, 0), g(b, 1), dy(b), x(b, 0), x(b, 1)); break;
      case OpKind::add:
        ops::identity_backward(g(b, 0), dy(b));
        ops::identity_backward(g(b, 1), dy(b));
        break;
      case OpKind::layer_norm:
        ops::layer_norm_backward(g(b, 0), g(b, 1), g(b, 2), dy(b), x(b, 0), x(b, 1), b.factor);
        break;
      case OpKind::relu: ops::relu_backward(g(b, 0), dy(b), x(b, 0)); break;
      case OpKind::cross_entropy:
        ops::cross_entropy_backward(g(b, 0), dy(b)(0, 0), t_.value(b.outputs[1]), x(b, 1),
                                    static_cast<int>(b.factor));
        break;
    }
  }

  // The first non-finite gradient this step produced.
  void check_finite(Step& b) {
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      const Mat& m = b.inputs[i].kind == TensorId::parameter ? t_.grad(b.inputs[i]) : b.input_grads[i];
      if (all_finite(m)) continue;
      for (Eigen::Index r = 0; r < m.rows(); ++r)
        for (Eigen::Index c = 0; c < m.cols(); ++c)
          if (!std::isfinite(m(r, c))) {
            b.non_finite = NonFinite{b.inputs[i], static_cast<int>(r), static_cast<int>(c), m(r, c)};
            return;
          }
    }
  }

  Trace& t_;
};

}  // namespace

void run_backward(Trace& trace, bool accumulate) {
  if (!trace.loss_id().valid()) throw std::logic_error("run_backward: no forward pass recorded");
  if (!accumulate) trace.params()->zero_grad();
  trace.drop_backward();
  for (int i = 0; i < trace.tensor_count(); ++i) {
    Tensor& t = trace.tensor(trace.activation(i));
    if (t.requires_grad) t.grad.setZero(t.value.rows(), t.value.cols());
    else t.grad.resize(0, 0);
  }
  trace.tensor(trace.loss_id()).grad(0, 0) = 1;  // ∂L/∂L
  Backward backward(trace);
  for (int i = trace.forward_count() - 1; i >= 0; --i) backward.step(i);
}

}  // namespace attnviz

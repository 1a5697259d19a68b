// run_backward: walks the forward steps in reverse and appends one backward step for each.
// A step writes ∂L/∂input of this step alone (its share of the chain rule).  An input that
// several steps read (x in a residual, the encoder output in every cross-attention, a recurrent
// cell's weights at every time step) keeps each share in the reader's `input_grads` and sums them
// into its gradient; the share of an input's one reader is written straight into its gradient.

#include "model/finite_values.h"
#include "model/ops.h"
#include "model/parameters.h"
#include "model/row_parts.h"
#include "model/transformer.h"

#include <stdexcept>

namespace attnviz {

namespace {

class Backward {
 public:
  // Without `accumulate`, a parameter's gradient is overwritten by its first consumer rather
  // than zeroed up front: a linear layer's dW = dYᵀ X is written in one pass.
  Backward(Trace& trace, bool accumulate, bool keep_labels)
      : t_(trace),
        keep_labels_(keep_labels),
        written_(static_cast<std::size_t>(trace.params()->size()), accumulate),
        has_grad_(static_cast<std::size_t>(trace.tensor_count()), false),
        param_readers_(static_cast<std::size_t>(trace.params()->size()), 0) {
    for (int i = 0; i < trace.forward_count(); ++i)
      for (const TensorId& in : trace.step(i).inputs)
        if (in.kind == TensorId::parameter) ++param_readers_[static_cast<std::size_t>(in.index)];
    fresh_.reserve(8);  // inputs of a step: three but for a concat of more than three heads
  }

  // ∂L/∂L = 1
  void seed_loss() {
    Tensor& loss = t_.tensor(t_.loss_id());
    reshape(loss.grad, 1, 1);
    loss.grad(0, 0) = 1;
    has_grad_[static_cast<std::size_t>(t_.loss_id().index)] = true;
  }

  // Zeroes the gradient of every activation that takes one but that no step reached.
  void zero_unreached_activations() {
    for (int i = 0; i < t_.tensor_count(); ++i) {
      if (has_grad_[static_cast<std::size_t>(i)]) continue;
      Tensor& t = t_.tensor(t_.activation(i));
      if (t.requires_grad) set_zero(t.grad, t.value.rows(), t.value.cols());
    }
  }

  // Zeroes the gradient of every parameter that no step wrote.
  void zero_unwritten_params() {
    Parameters& p = *t_.params();
    for (int i = 0; i < p.size(); ++i)
      if (!written_[static_cast<std::size_t>(i)]) set_zero(p[i].grad, p[i].value.rows(), p[i].value.cols());
  }

  void step(int forward_index) {
    Step& b = t_.add_step(t_.step(forward_index).op, Phase::backward, keep_labels_);
    const Step& f = t_.step(forward_index);
    if (!keep_labels_) {
      b.label = f.label;
      b.where = f.where;
      b.inputs = f.inputs;
      b.outputs = f.outputs;
      b.formula = op_info(f.op).backward_formula;
    }
    b.twin = forward_index;
    b.args = f.args;
    t_.step(forward_index).twin = t_.step_count() - 1;

    // Where ∂L/∂input goes: a share of its own where the input has other readers, else the
    // input's gradient itself.  It is `fresh` when no step wrote it before: the op writes it over.
    const bool kept = head_share_kept(b);
    fresh_.assign(b.inputs.size(), false);
    b.input_grads.resize(b.inputs.size());
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      const TensorId id = b.inputs[i];
      const auto index = static_cast<std::size_t>(id.index);
      const Tensor& in = t_.tensor(id);
      if (in.requires_grad && !sole_reader(b, i)) {
        fresh_[i] = true;
      } else {
        b.input_grads[i].resize(0, 0);  // a reused step may hold a share from another op
        if (id.kind == TensorId::parameter) {
          fresh_[i] = !written_[index];
          written_[index] = true;
        } else if (in.requires_grad) {
          fresh_[i] = true;
          has_grad_[index] = true;
        }
      }
      if (fresh_[i]) reshape(g(b, i), in.value.rows(), in.value.cols());
    }
    if (kept && fresh_[0] && b.input_grads[0].size() > 0) {
      // 0 + ∂L/∂Q_h in the head's columns, as a fresh share gets; 0 elsewhere already
      const Columns own = *Trace::share_columns(b, 0);
      b.input_grads[0].middleCols(own.begin, own.count).setZero();
      fresh_[0] = false;
    }
    // ∂L/∂output is complete: every step that reads the output ran before this one.  An output
    // that no step read has a zero gradient.
    for (const TensorId& out : b.outputs) {
      if (has_grad_[static_cast<std::size_t>(out.index)]) continue;
      Tensor& o = t_.tensor(out);
      if (o.requires_grad) {
        set_zero(o.grad, o.value.rows(), o.value.cols());
        has_grad_[static_cast<std::size_t>(out.index)] = true;
      }
    }
    b.head_share_kept = {};
    compute(b);
    b.head_share_kept = Trace::share_columns(b, 0).value_or(Columns{});
    // The input's total gradient: its first share is copied (a share is never −0, so this equals
    // 0 + share), later shares are added, where they can be nonzero (Trace::share_columns).  A
    // sum of values that are not −0 is not −0 either, so adding a share's zeros changes nothing.
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      if (b.input_grads[i].size() == 0) continue;
      Tensor& in = t_.tensor(b.inputs[i]);
      const auto index = static_cast<std::size_t>(b.inputs[i].index);
      if (b.inputs[i].kind == TensorId::parameter) {
        ops::Grad(in.grad, !written_[index]).put_rows(b.input_grads[i]);
        written_[index] = true;
        continue;
      }
      ops::Grad grad(in.grad, !has_grad_[index]);
      if (const std::optional<Columns> nonzero = Trace::share_columns(b, i))
        grad.put_columns(b.input_grads[i], *nonzero);
      else
        grad.put_rows(b.input_grads[i]);
      has_grad_[index] = true;
    }
    // A linear layer's fresh weight gradients need no reading when bounded finite.
    const bool params_finite =
        b.op == OpKind::linear && fresh_[1] && fresh_[2] && linear_weight_grads_finite(dy(b), x(b, 0));
    find_non_finite_share(t_, b, params_finite);
  }

 private:
  // A split_head step's share as its last run left it (Step::head_share_kept): 0 outside the
  // same columns, in the same shape.  Only a large one is kept: a small share is zeroed whole
  // faster than its head's columns row by row.
  bool head_share_kept(const Step& b) const {
    const std::optional<Columns> own = Trace::share_columns(b, 0);
    if (!own || *own != b.head_share_kept || b.input_grads[0].size() < row_parallel_values) return false;
    const Mat& in = t_.value(b.inputs[0]);
    return b.input_grads[0].rows() == in.rows() && b.input_grads[0].cols() == in.cols();
  }
  bool sole_reader(const Step& b, std::size_t i) const {
    if (b.inputs[i].kind == TensorId::parameter)
      return param_readers_[static_cast<std::size_t>(b.inputs[i].index)] <= 1;
    return t_.readers(b.inputs[i]) == 1;
  }
  // ∂L/∂input of this step: the activation's share, or the input's gradient itself.
  Mat& g(Step& b, std::size_t i) {
    if (sole_reader(b, i)) return t_.tensor(b.inputs[i]).grad;
    return b.input_grads[i];
  }
  const Mat& x(const Step& b, std::size_t i) { return t_.value(b.inputs[i]); }
  const Mat& dy(const Step& b) { return t_.grad(b.outputs[0]); }

  // The op's gradients: fresh ones are written over.
  ops::Grad out(Step& b, std::size_t i) { return {g(b, i), fresh_[i] != 0}; }

  void compute(Step& b) {
    switch (b.op) {
      case OpKind::embedding: ops::embedding_backward(out(b, 1), dy(b), x(b, 0)); break;
      case OpKind::scale: ops::scale_backward(out(b, 0), dy(b), b.args.c); break;
      case OpKind::add_positional: ops::identity_backward(out(b, 0), dy(b)); break;
      case OpKind::linear: ops::linear_backward(out(b, 0), out(b, 1), out(b, 2), dy(b), x(b, 0), x(b, 1)); break;
      case OpKind::split_head: ops::split_head_backward(out(b, 0), dy(b), b.where.head, b.args.d_k); break;
      case OpKind::concat_heads:
        for (std::size_t h = 0; h < b.inputs.size(); ++h)
          ops::concat_heads_backward(out(b, h), dy(b), static_cast<int>(h), b.args.d_k);
        break;
      case OpKind::scores: ops::scores_backward(out(b, 0), out(b, 1), dy(b), x(b, 0), x(b, 1)); break;
      case OpKind::mask: ops::mask_backward(out(b, 0), dy(b), x(b, 1)); break;
      case OpKind::softmax: ops::softmax_backward(out(b, 0), dy(b), t_.value(b.outputs[0])); break;
      case OpKind::weighted_sum: ops::weighted_sum_backward(out(b, 0), out(b, 1), dy(b), x(b, 0), x(b, 1)); break;
      case OpKind::add:
        ops::identity_backward(out(b, 0), dy(b));
        ops::identity_backward(out(b, 1), dy(b));
        break;
      case OpKind::layer_norm:
        ops::layer_norm_backward(out(b, 0), out(b, 1), out(b, 2), dy(b), x(b, 0), x(b, 1), t_.step(b.twin).saved);
        break;
      case OpKind::relu: ops::relu_backward(out(b, 0), dy(b), x(b, 0)); break;
      case OpKind::gelu: ops::gelu_backward(out(b, 0), dy(b), x(b, 0)); break;
      case OpKind::cross_entropy:
        ops::cross_entropy_backward(out(b, 0), dy(b)(0, 0), t_.value(b.outputs[1]), x(b, 1), b.args.pad_id);
        break;
      case OpKind::sum: ops::sum_backward(out(b, 0), dy(b)(0, 0)); break;
      case OpKind::stack_rows:
        for (std::size_t t = 0; t < b.inputs.size(); ++t)
          ops::stack_rows_backward(out(b, t), dy(b), static_cast<int>(t));
        break;
      case OpKind::tanh: ops::tanh_backward(out(b, 0), dy(b), t_.value(b.outputs[0])); break;
      case OpKind::gru_cell:
        ops::gru_cell_backward(out(b, 0), out(b, 1), out(b, 2), out(b, 3), out(b, 4), out(b, 5), dy(b), x(b, 0),
                               x(b, 1), x(b, 2), x(b, 3), t_.step(b.twin).saved);
        break;
      case OpKind::additive_scores:
        ops::additive_scores_backward(out(b, 0), out(b, 1), out(b, 2), out(b, 3), dy(b), x(b, 0), x(b, 2), x(b, 3),
                                      t_.step(b.twin).saved);
        break;
      case OpKind::count: break;
    }
  }

  Trace& t_;
  bool keep_labels_;                // the step slots hold this backward's labels, inputs and outputs
  std::vector<char> written_;       // per parameter: its gradient holds this run's (or earlier) sums
  std::vector<char> has_grad_;      // per activation: its gradient holds at least one share
  std::vector<char> fresh_;         // per input of the current step: its gradient starts from nothing
  std::vector<int> param_readers_;  // per parameter: the forward steps that read it
};

}  // namespace

void run_backward(Trace& trace, bool accumulate) {
  if (!trace.loss_id().valid()) throw std::logic_error("run_backward: no forward pass recorded");
  const bool keep_labels = trace.drop_backward();
  Backward backward(trace, accumulate, keep_labels);
  backward.seed_loss();
  for (int i = trace.forward_count() - 1; i >= 0; --i) backward.step(i);
  backward.zero_unwritten_params();
  backward.zero_unreached_activations();
  trace.end_backward();
}

}  // namespace attnviz

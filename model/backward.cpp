// run_backward: walks the forward steps in reverse and appends one backward step for each.
// A step writes ∂L/∂input of this step alone (its share of the chain rule).  An input that
// several steps read (x in a residual, the encoder output in every cross-attention, a recurrent
// cell's weights at every time step) keeps each share in the reader's `input_grads` and sums them
// into its gradient; the share of an input's one reader is written straight into its gradient.
// An attention's heads, large enough (heads_side_by_side), are computed side by side: their
// steps are appended in the same order, then each head's run on one thread.  A linear layer's
// weight gradient dW = dYᵀ X is finished on a helper while the steps after it run on this
// thread (matmul_nn_then_tn): until the next large product, or a step that reads dW.

#include "model/finite_values.h"
#include "model/ops.h"
#include "model/parallel.h"
#include "model/parameters.h"
#include "model/recorder.h"
#include "model/row_parts.h"
#include "model/transformer.h"

#include <cmath>
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
        grad_finite_(static_cast<std::size_t>(trace.tensor_count()), false) {
    serial_.fresh.reserve(8);  // inputs of a step: three but for a concat of more than three heads
  }
  Backward(const Backward&) = delete;
  Backward& operator=(const Backward&) = delete;
  // A weight gradient's parts left trailing when a step threw: the exception on its way out wins.
  ~Backward() {
    try {
      finish_trailing_pieces();
    } catch (...) {}
  }

  // ∂L/∂L = 1
  void seed_loss() {
    Tensor& loss = t_.tensor(t_.loss_id());
    reshape(loss.grad, 1, 1);
    loss.grad(0, 0) = 1;
    has_grad_[static_cast<std::size_t>(t_.loss_id().index)] = true;
    grad_finite_[static_cast<std::size_t>(t_.loss_id().index)] = true;
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

  // The backward step of forward step `forward_index`, computed now; returns its op.
  OpKind step(int forward_index) {
    Step& b = prepare(forward_index, serial_);
    finish(b, serial_);
    return b.op;
  }

  // The backward steps of one attention's heads, forward steps [first, last]: appended and
  // readied in order, then computed head by head over the threads.  A head's steps read no
  // parameter and no other head's tensors; they share only Q, K and V, whose gradients are
  // zeroed up front and take each head's share in its own columns: 0 + share, the bits the
  // share's copy would give, since no share is −0.
  [[gnu::noinline]] void heads(int first, int last) {
    const int count = last - first + 1;
    if (pending_.size() < static_cast<std::size_t>(count)) pending_.resize(static_cast<std::size_t>(count));
    for (int k = 0; k < count; ++k) zero_shared_inputs(prepare(last - k, pending_[static_cast<std::size_t>(k)]));
    run_each_head(
        t_, count, [&](int k) { return pending_[static_cast<std::size_t>(k)].step; },
        [&](int k) {
          Pending& p = pending_[static_cast<std::size_t>(k)];
          finish(t_.step(p.step), p);
        },
        head_begin_);
  }

 private:
  // A backward step appended and readied, to compute: `fresh` per input, its gradient starts
  // from nothing (the op writes it over); `kept`, its head's share is kept from the last run.
  struct Pending {
    int step = -1;
    bool kept = false;
    std::vector<char> fresh;
  };

  // Appends the backward step of forward step `forward_index` and readies where its gradients
  // go: a share of its own where the input has other readers, else the input's gradient itself.
  [[gnu::always_inline]] Step& prepare(int forward_index, Pending& p) {
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
    p.step = t_.step_count() - 1;

    p.kept = head_share_kept(b);
    p.fresh.assign(b.inputs.size(), false);
    b.input_grads.resize(b.inputs.size());
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      const TensorId id = b.inputs[i];
      const auto index = static_cast<std::size_t>(id.index);
      Tensor& in = t_.tensor(id);
      if (in.requires_grad && !sole_reader(b, i)) {
        p.fresh[i] = true;
        reshape(b.input_grads[i], in.value.rows(), in.value.cols());
        continue;
      }
      b.input_grads[i].resize(0, 0);  // a reused step may hold a share from another op
      if (id.kind == TensorId::parameter) {
        p.fresh[i] = !written_[index];
        written_[index] = true;
      } else if (in.requires_grad) {
        p.fresh[i] = true;
        has_grad_[index] = true;
      }
      if (p.fresh[i]) reshape(in.grad, in.value.rows(), in.value.cols());
    }
    // ∂L/∂output is complete when this step is computed: every step that reads the output is
    // computed before it.  An output that no step read has a zero gradient.
    for (const TensorId& out : b.outputs) {
      if (has_grad_[static_cast<std::size_t>(out.index)]) continue;
      Tensor& o = t_.tensor(out);
      if (o.requires_grad) {
        set_zero(o.grad, o.value.rows(), o.value.cols());
        has_grad_[static_cast<std::size_t>(out.index)] = true;
        grad_finite_[static_cast<std::size_t>(out.index)] = true;
      }
    }
    return b;
  }

  // Zeroes the gradient of each activation that step `b` keeps a share of, where no share
  // reached it yet: the shares are then added in any order.
  void zero_shared_inputs(const Step& b) {
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      const auto index = static_cast<std::size_t>(b.inputs[i].index);
      if (b.input_grads[i].size() == 0 || b.inputs[i].kind != TensorId::activation || has_grad_[index]) continue;
      Tensor& in = t_.tensor(b.inputs[i]);
      set_zero(in.grad, in.value.rows(), in.value.cols());
      has_grad_[index] = true;
    }
  }

  // Computes the step readied by `prepare` and adds its shares to the inputs' gradients.
  [[gnu::always_inline]] void finish(Step& b, Pending& p) {
    if (p.kept && p.fresh[0] && b.input_grads[0].size() > 0) {
      // 0 + ∂L/∂Q_h in the head's columns, as a fresh share gets; 0 elsewhere already
      const Columns own = *Trace::share_columns(b, 0);
      b.input_grads[0].middleCols(own.begin, own.count).setZero();
      p.fresh[0] = false;
    }
    b.head_share_kept = {};
    compute(b, p.fresh);
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
      if (!has_grad_[index]) has_grad_[index] = true;  // not written where set: heads run side by side
    }
    // A linear layer's fresh weight gradients need no reading when bounded finite.
    const bool params_finite =
        b.op == OpKind::linear && p.fresh[1] && p.fresh[2] && linear_weight_grads_finite(dy(b), x(b, 0));
    if (shares_surely_finite(b)) {
      b.non_finite.reset();
    } else {
      if (b.op == OpKind::linear && !params_finite) finish_trailing_pieces();  // dW is read
      find_non_finite_share(t_, b, params_finite);
    }
    if (!b.non_finite) note_finite_gradients(b, p);
  }

  // The op passes a finite ∂L/∂output on as finite shares (op_table.h, FiniteRule::backward),
  // to activations only (a parameter's gradient may be a sum).
  bool shares_surely_finite(const Step& b) const {
    const FiniteRule::Keeps rule = op_info(b.op).finite.backward;
    if (rule == FiniteRule::never || (rule == FiniteRule::when_c_at_most_1 && !(std::abs(b.args.c) <= 1))) return false;
    for (const TensorId& in : b.inputs)
      if (in.kind == TensorId::parameter) return false;
    for (const TensorId& out : b.outputs)
      if (!grad_finite_[static_cast<std::size_t>(out.index)]) return false;
    return true;
  }

  // After step `b`'s shares were found finite: an activation it is the one reader of has its
  // whole gradient finite (of several readers, the sum of finite shares may overflow).  Such an
  // input is one `prepare` found fresh and gave no share of its own.
  void note_finite_gradients(const Step& b, const Pending& p) {
    for (std::size_t i = 0; i < b.inputs.size(); ++i)
      if (b.inputs[i].kind == TensorId::activation && b.input_grads[i].size() == 0 && p.fresh[i])
        grad_finite_[static_cast<std::size_t>(b.inputs[i].index)] = true;
  }

  // A split_head step's share as its last run left it (Step::head_share_kept): 0 outside the
  // same columns, in the same shape.  Only a large one is kept: a small share is zeroed whole
  // faster than its head's columns row by row.
  bool head_share_kept(const Step& b) const {
    const std::optional<Columns> own = Trace::share_columns(b, 0);
    if (!own || *own != b.head_share_kept || b.input_grads[0].size() < row_parallel_values) return false;
    const Mat& in = t_.value(b.inputs[0]);
    return b.input_grads[0].rows() == in.rows() && b.input_grads[0].cols() == in.cols();
  }
  bool sole_reader(const Step& b, std::size_t i) const { return t_.readers(b.inputs[i]) <= 1; }
  // ∂L/∂input of this step: the activation's share, or the input's gradient itself.
  Mat& g(Step& b, std::size_t i) {
    if (sole_reader(b, i)) return t_.tensor(b.inputs[i]).grad;
    return b.input_grads[i];
  }
  const Mat& x(const Step& b, std::size_t i) { return t_.value(b.inputs[i]); }
  const Mat& dy(const Step& b) { return t_.grad(b.outputs[0]); }

  // The op's gradients: fresh ones are written over.
  ops::Grad out_grad(Step& b, const std::vector<char>& fresh, std::size_t i) { return {g(b, i), fresh[i] != 0}; }

  void compute(Step& b, const std::vector<char>& fresh) {
    const auto out = [&](Step& s, std::size_t i) { return out_grad(s, fresh, i); };
    switch (b.op) {
      case OpKind::embedding: ops::embedding_backward(out(b, 1), dy(b), x(b, 0)); break;
      case OpKind::scale: ops::scale_backward(out(b, 0), dy(b), b.args.c); break;
      case OpKind::add_positional: ops::identity_backward(out(b, 0), dy(b)); break;
      case OpKind::linear:
        // dW, the weight's gradient itself (not a share to add), may be finished later
        ops::linear_backward(out(b, 0), out(b, 1), out(b, 2), dy(b), x(b, 0), x(b, 1), sole_reader(b, 1));
        break;
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
  bool keep_labels_;               // the step slots hold this backward's labels, inputs and outputs
  std::vector<char> written_;      // per parameter: its gradient holds this run's (or earlier) sums
  std::vector<char> has_grad_;     // per activation: its gradient holds at least one share
  std::vector<char> grad_finite_;  // per activation: its gradient is complete and finite
  Pending serial_;                 // step(): the step being computed
  std::vector<Pending> pending_;   // heads(): the steps readied and not yet computed
  std::vector<int> head_begin_;    // heads(): run_each_head's scratch
};

// The first of the forward steps up to `last` that belong to the heads of one attention, when
// step `last` is its last head's last step and the heads are computed side by side
// (heads_side_by_side): else `last`.  A head's last step weighs V_h (T_k, d_k) by A (T_q, T_k).
int first_of_side_by_side_heads(const Trace& trace, int last) {
  const Step& weigh = trace.step(last);
  const Where& end = weigh.where;
  if (end.head <= 0 || weigh.op != OpKind::weighted_sum) return last;
  const Mat &A = trace.value(weigh.inputs[0]), &V_h = trace.value(weigh.inputs[1]);
  if (!heads_side_by_side(A.rows(), A.cols(), V_h.cols() * (end.head + 1))) return last;
  int first = last;
  for (;; --first) {
    for (const TensorId& in : trace.step(first).inputs)
      if (in.kind == TensorId::parameter) return last;
    if (first == 0) break;
    const Where& w = trace.step(first - 1).where;
    if (w.head < 0 || w.stack != end.stack || w.layer != end.layer || w.sublayer != end.sublayer) break;
  }
  return trace.step(first).where.head == 0 ? first : last;
}

}  // namespace

void run_backward(Trace& trace, bool accumulate) {
  if (!trace.loss_id().valid()) throw std::logic_error("run_backward: no forward pass recorded");
  const bool keep_labels = trace.drop_backward();
  Backward backward(trace, accumulate, keep_labels);
  backward.seed_loss();
  for (int i = trace.forward_count() - 1; i >= 0; --i) {
    if (backward.step(i) != OpKind::concat_heads || i == 0) continue;
    const int first = first_of_side_by_side_heads(trace, i - 1);  // the heads concatenated
    if (first < i - 1) {
      backward.heads(first, i - 1);
      i = first;
    }
  }
  finish_trailing_pieces();
  backward.zero_unwritten_params();
  backward.zero_unreached_activations();
  trace.end_backward();
}

}  // namespace attnviz

#include "model/trace.h"

#include "model/parameters.h"

#include <stdexcept>

namespace attnviz {

const char* to_string(Stack stack) {
  switch (stack) {
    case Stack::none: return "none";
    case Stack::encoder: return "encoder";
    case Stack::decoder: return "decoder";
    case Stack::output: return "output";
  }
  return "?";
}

const char* to_string(Sublayer sublayer) {
  switch (sublayer) {
    case Sublayer::none: return "none";
    case Sublayer::embed: return "embed";
    case Sublayer::self_attn: return "self_attn";
    case Sublayer::norm1: return "norm1";
    case Sublayer::cross_attn: return "cross_attn";
    case Sublayer::norm2: return "norm2";
    case Sublayer::ffn: return "ffn";
    case Sublayer::norm3: return "norm3";
    case Sublayer::recurrent: return "rnn";
    case Sublayer::additive_attn: return "attention";
    case Sublayer::final_norm: return "norm";
    case Sublayer::generator: return "generator";
    case Sublayer::loss: return "loss";
  }
  return "?";
}

std::optional<TensorId> Trace::find(std::string_view name) const {
  if (!by_name_built_) {
    by_name_.clear();
    for (int i = 0; i < activations_used_; ++i) by_name_.emplace(activations_[static_cast<std::size_t>(i)].name, i);
    by_name_built_ = true;
  }
  if (auto it = by_name_.find(std::string(name)); it != by_name_.end())
    return TensorId{TensorId::activation, it->second};
  if (params_) {
    if (auto p = params_->find(name)) return TensorId{TensorId::parameter, *p};
  }
  return std::nullopt;
}

std::optional<int> Trace::find_step(std::string_view label, Phase phase) const {
  for (int i = 0; i < steps_used_; ++i) {
    const Step& s = steps_[static_cast<std::size_t>(i)];
    if (s.phase == phase && s.label == label) return i;
  }
  return std::nullopt;
}

Scalar Trace::loss() const { return loss_.valid() ? value(loss_)(0, 0) : Scalar(0); }

void Trace::reset(Parameters* params, const Config* config) {
  params_ = params;
  // forward_count_ > 0: the last forward completed (a run that threw left it at 0).
  replaying_ = config && config_ == *config && forward_count_ > 0;
  if (!replaying_) {
    backward_recorded_ = false;
    by_name_built_ = false;
  }
  config_ = config ? std::optional<Config>(*config) : std::nullopt;
  activations_used_ = 0;
  steps_used_ = 0;
  forward_count_ = 0;
  loss_ = {};
}

void Trace::end_forward() {
  forward_count_ = steps_used_;
  if (!replaying_) {  // a replay has the same inputs, so the same readers
    readers_.assign(static_cast<std::size_t>(activations_used_), 0);
    param_readers_.assign(static_cast<std::size_t>(params_ ? params_->size() : 0), 0);
    for (int i = 0; i < forward_count_; ++i)
      for (const TensorId& in : steps_[static_cast<std::size_t>(i)].inputs)
        ++(in.kind == TensorId::activation ? readers_ : param_readers_)[static_cast<std::size_t>(in.index)];
  }
  replaying_ = false;
}

bool Trace::drop_backward() {
  const bool keep = backward_recorded_ && steps_.size() >= 2 * static_cast<std::size_t>(forward_count_);
  steps_used_ = forward_count_;
  backward_recorded_ = false;
  return keep;
}

TensorId Trace::add_tensor(std::string_view name, Role role, int head, int rows, int cols, Axis row_axis, Axis col_axis,
                           bool requires_grad) {
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

Step& Trace::add_step(OpKind op, Phase phase, bool keep_labels) {
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

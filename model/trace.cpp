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
  if (replaying_) replayed_ = {forward_count_, activations_used_, loss_};
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

}  // namespace attnviz

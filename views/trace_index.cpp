#include "views/trace_index.h"

#include "views/i18n.h"

#include <cmath>
#include <unordered_map>

namespace attnviz::views {
namespace {

bool same_block(const Where& a, const Where& b) {
  return a.stack == b.stack && a.layer == b.layer && a.sublayer == b.sublayer;
}

bool same_group(const Step& a, const Step& b) { return a.phase == b.phase && same_block(a.where, b.where); }

const char* stack_words(Stack stack) {
  switch (stack) {
    case Stack::encoder: return tr("Encoder");
    case Stack::decoder: return tr("Decoder");
    case Stack::output: return tr("Output");
    case Stack::none: return tr("Model");
  }
  return "";
}

}  // namespace

std::string block_title(Stack stack, Sublayer sublayer) {
  switch (sublayer) {
    case Sublayer::embed: return stack == Stack::decoder ? tr("Output embedding + PE") : tr("Input embedding + PE");
    case Sublayer::self_attn:
      return stack == Stack::decoder ? tr("Masked multi-head attention") : tr("Multi-head attention");
    case Sublayer::cross_attn: return tr("Encoder–decoder attention");
    case Sublayer::norm1:
    case Sublayer::norm2:
    case Sublayer::norm3: return tr("Add & Norm");
    case Sublayer::ffn: return tr("Feed-forward");
    case Sublayer::final_norm: return tr("Layer norm");
    case Sublayer::generator: return tr("Linear");
    case Sublayer::loss: return tr("Softmax + loss");
    case Sublayer::recurrent: return tr("Recurrent cell");
    case Sublayer::additive_attn: return tr("Additive attention");
    case Sublayer::none: return "";
  }
  return "";
}

// " › layer 1", or in a recurrent model " › time step 3".
std::string layer_words(const Where& where) {
  if (where.layer < 0) return "";
  const bool time_step = where.sublayer == Sublayer::recurrent || where.sublayer == Sublayer::additive_attn;
  return formatted(time_step ? tr(" › time step %d") : tr(" › layer %d"), where.layer);
}

std::string where_in_words(const Where& where) {
  std::string text = stack_words(where.stack) + layer_words(where);
  if (where.sublayer != Sublayer::none) text += " › " + block_title(where.stack, where.sublayer);
  if (where.head >= 0) text += formatted(tr(" › head %d"), where.head);
  return text;
}

std::string short_label(const Step& step) {
  std::string prefix = to_string(step.where.stack);
  if (step.where.layer >= 0) {
    prefix += '.';
    prefix += std::to_string(step.where.layer);
  }
  prefix += std::string(".") + to_string(step.where.sublayer) + ".";
  if (step.label.rfind(prefix, 0) == 0) return step.label.substr(prefix.size());
  return step.label;
}

TraceIndex::TraceIndex(const Trace& trace) {
  index_blocks(trace);
  measure_gradients_out(trace);
  list_rows(trace);
}

// Every step's block (a new one the first time its stack, layer and sublayer appear), the first
// and last steps of each, and the first step of each step's group.
void TraceIndex::index_blocks(const Trace& trace) {
  const int n = trace.step_count();
  block_of_step_.assign(static_cast<std::size_t>(n), -1);
  group_start_.assign(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    const Step& s = trace.step(i);
    int b = find_block(s.where.stack, s.where.layer, s.where.sublayer);
    if (b < 0) {
      Where w = s.where;
      w.head = -1;
      blocks_.push_back(Block{w});
      b = static_cast<int>(blocks_.size()) - 1;
    }
    Block& block = blocks_[static_cast<std::size_t>(b)];
    block_of_step_[static_cast<std::size_t>(i)] = b;
    if (s.phase == Phase::forward && block.first_forward < 0) block.first_forward = i;
    if (s.phase == Phase::backward) {
      if (block.first_backward < 0) block.first_backward = i;
      block.last_backward = i;
    }
    group_start_[static_cast<std::size_t>(i)] =
        i > 0 && same_group(s, trace.step(i - 1)) ? group_start_[static_cast<std::size_t>(i - 1)] : i;
  }
}

// Gradient out of a block: the shares its backward steps pass to activations made elsewhere
// (or, for the embeddings, to the parameters), summed per tensor; ‖·‖ over all of them.
void TraceIndex::measure_gradients_out(const Trace& trace) {
  std::unordered_map<int, int> producer;  // activation index → block that outputs it
  for (int i = 0; i < trace.forward_count(); ++i)
    for (TensorId out : trace.step(i).outputs)
      if (out.kind == TensorId::activation) producer[out.index] = block_of_step_[static_cast<std::size_t>(i)];
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    Block& block = blocks_[b];
    if (block.first_backward < 0) continue;
    std::unordered_map<int, Mat> leaving;
    double params_sq = 0;
    for (int i = block.first_backward; i <= block.last_backward; ++i) {
      const Step& s = trace.step(i);
      if (block_of_step_[static_cast<std::size_t>(i)] != static_cast<int>(b)) continue;
      for (std::size_t k = 0; k < s.inputs.size(); ++k) {
        const TensorId in = s.inputs[k];
        if (in.kind == TensorId::parameter) {
          params_sq += trace.grad(in).squaredNorm();
          continue;
        }
        const Mat& share = trace.share(s, k);
        const auto it = producer.find(in.index);
        if (share.size() == 0 || (it != producer.end() && it->second == static_cast<int>(b))) continue;
        Mat& sum = leaving[in.index];
        if (sum.size() == 0) sum = Mat::Zero(share.rows(), share.cols());
        sum += share;
      }
    }
    double sq = 0;
    for (const auto& [index, g] : leaving) sq += g.squaredNorm();
    block.grad_norm_out = std::sqrt(leaving.empty() ? params_sq : sq);
  }
}

// Step list rows: a header whenever phase, stack, layer, sublayer or head changes.
void TraceIndex::list_rows(const Trace& trace) {
  const int n = trace.step_count();
  row_of_step_.assign(static_cast<std::size_t>(n), 0);
  const Step* previous = nullptr;
  for (int i = 0; i < n; ++i) {
    const Step& s = trace.step(i);
    const bool new_phase = !previous || previous->phase != s.phase;
    const bool new_block = new_phase || !same_block(previous->where, s.where);
    const bool new_head = new_block || previous->where.head != s.where.head;
    if (new_phase) rows_.push_back({-1, 0, s.phase == Phase::forward ? tr("Forward pass") : tr("Backward pass")});
    if (new_block) {
      std::string text = stack_words(s.where.stack);
      text += layer_words(s.where);
      text += " › " + block_title(s.where.stack, s.where.sublayer);
      rows_.push_back({-1, 1, text});
    }
    if (new_head && s.where.head >= 0) rows_.push_back({-1, 2, formatted(tr("head %d"), s.where.head)});
    row_of_step_[static_cast<std::size_t>(i)] = static_cast<int>(rows_.size());
    rows_.push_back({i, s.where.head >= 0 ? 3 : 2, short_label(s)});
    previous = &s;
  }
}

int TraceIndex::find_block(Stack stack, int layer, Sublayer sublayer) const {
  for (std::size_t b = 0; b < blocks_.size(); ++b) {
    const Where& w = blocks_[b].where;
    if (w.stack == stack && w.layer == layer && w.sublayer == sublayer) return static_cast<int>(b);
  }
  return -1;
}

int TraceIndex::next_sublayer(int step) const {
  const int n = step_count();
  for (int i = step + 1; i < n; ++i)
    if (group_start_[static_cast<std::size_t>(i)] == i) return i;
  return n > 0 ? n - 1 : 0;
}

int TraceIndex::previous_sublayer(int step) const {
  if (step <= 0 || step >= step_count()) return 0;
  const int start = group_start_[static_cast<std::size_t>(step)];
  if (start < step) return start;
  return group_start_[static_cast<std::size_t>(step - 1)];
}

}  // namespace attnviz::views

#include "views/chain_terms.h"

#include <stdexcept>

namespace attnviz::views {

ChainExplanation explain_selection(const AppState& app, const Selection& selection) {
  const ElementRef& e = selection.element;
  if (!e.valid() || e.step != selection.step) return {};
  const Trace& trace = app.session.trace();
  const Step& step = trace.step(e.step);
  try {
    if (step.phase == Phase::backward && e.slot == Slot::downstream)
      return explain(trace, e.step, e.index, e.row, e.col);
    if (step.phase == Phase::forward && e.slot == Slot::output)
      return explain_forward(trace, e.step, e.index, e.row, e.col);
  } catch (const std::out_of_range&) {}
  return {};
}

std::string element_name(const Trace& trace, const Element& element, bool gradient) {
  if (!element.tensor.valid()) return "?";
  const std::string& name = trace.tensor(element.tensor).name;
  const std::size_t dot = name.rfind('.');
  std::string part = dot == std::string::npos ? name : name.substr(dot + 1);
  if (element.tensor.kind == TensorId::parameter && dot != std::string::npos) {
    const std::size_t before = name.rfind('.', dot - 1);
    part = name.substr(before == std::string::npos ? 0 : before + 1);
  }
  // Attention scores are named by what they are, not by the op that made them.
  const Role role = trace.tensor(element.tensor).role;
  if (role == Role::masked_scores) part = "masked_scores";
  if (role == Role::scaled_scores) part = "scaled_scores";
  return (gradient ? "∂L/∂" : "") + part + "[" + std::to_string(element.row) + "," + std::to_string(element.col) + "]";
}

}  // namespace attnviz::views

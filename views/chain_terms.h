#pragma once
// The chain-rule explanation of the selected element, when it belongs to the current step:
// a downstream gradient of a backward step (explain) or an output of a forward step
// (explain_forward).  Shared by the chain-rule panel and the step detail's highlights.

#include "model/explain.h"
#include "views/app_state.h"
#include "views/selection.h"

#include <optional>
#include <variant>

namespace attnviz::views {

using ChainExplanation = std::variant<std::monostate, Explanation, ForwardExplanation>;

// Empty when nothing explainable is selected on the current step.
ChainExplanation explain_selection(const AppState& app, const Selection& selection);

// "Y[1,2]", "∂L/∂Y[1,2]": an element named by its tensor's last label part.
std::string element_name(const Trace& trace, const Element& element, bool gradient);

}  // namespace attnviz::views

#pragma once
// Names for what a heatmap shows: "Q, head 2: 5 source tokens × 4 features", the words on its
// rows and columns, and the colour scale that suits it.

#include "views/app_state.h"
#include "views/colormap.h"
#include "views/selection.h"

#include <span>
#include <string>

namespace attnviz::views {

// "Q, head 2", "A (attention weights), head 0", "W: encoder.layers.0.ffn.linear1.weight".
std::string tensor_symbol(const Tensor& tensor);
// "5 source tokens × 4 features"
std::string shape_words(const Tensor& tensor);
// "Q, head 2: 5 source tokens × 4 features"; with `gradient`, "∂L/∂Q, head 2: …".
std::string tensor_caption(const Tensor& tensor, bool gradient);

struct AxisLabels {
  std::span<const std::string> words;  // empty: show indices
  TokenSide tokens = TokenSide::none;
  bool features = false;
};
AxisLabels axis_labels(const AppState& app, const Tensor& tensor, Axis axis);

// Sequential for probabilities, masks and token ids; diverging for everything signed (and all gradients).
ColourScale colour_scale(const Tensor& tensor, bool gradient);

// "Layer norm", "Attention scores": the op's name in words.
const char* op_title(OpKind op);

}  // namespace attnviz::views

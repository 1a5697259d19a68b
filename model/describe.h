#pragma once
// One plain sentence per operation: what it does and why.  Shown in the step detail panel and
// in the terminal walk-through.

#include "model/trace.h"

#include <string>
#include <string_view>

namespace attnviz {

std::string_view describe(OpKind op, Phase phase);

// "Q, head 2: 5 tokens × 4 features" style shape in words.
std::string shape_in_words(const Tensor& t);

}  // namespace attnviz

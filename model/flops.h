#pragma once
// Floating-point operations of a recorded run, counted from its steps' shapes: the matrix
// products (2·m·n·k each; backward of a product is two products) and one per element for
// everything else.

#include "model/trace.h"

#include <cstdint>

namespace attnviz {

std::uint64_t count_flops(const Trace& trace);

}  // namespace attnviz

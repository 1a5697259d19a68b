#pragma once
// Floating-point operations of a recorded run, counted from its steps' shapes: the matrix
// products (2·m·n·k each; backward of a product is two products) and one per element for
// everything else.

#include "model/trace.h"

#include <cstdint>

namespace attnviz {

std::uint64_t count_flops(const Trace& trace);

// ---- the `product_flops` column of an op's row (product_flops.cpp) ----
// The flops of a forward step's matrix products; 0 from no_products, an op with none (counted
// as one flop per output element).  Shapes are of the step's inputs a = 0, b = 1.
std::uint64_t no_products(const Trace& trace, const Step& step);
std::uint64_t product_with_transpose_flops(const Trace& trace, const Step& step);  // linear, scores
std::uint64_t weighted_sum_flops(const Trace& trace, const Step& step);
std::uint64_t gru_cell_flops(const Trace& trace, const Step& step);
std::uint64_t additive_scores_flops(const Trace& trace, const Step& step);

}  // namespace attnviz

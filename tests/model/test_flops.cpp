// count_flops from the shapes of worked example A's one attention head, by hand: the products
// 2·m·n·k each, forward once and backward twice; every other step one flop per output element,
// forward and backward alike.

#include "model/fixed_attention.h"
#include "model/flops.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace attnviz::testing {
namespace {

TEST(Flops, CountsProductsTwiceBackwardAndElementsOnce) {
  const std::uint64_t T = 3, d_in = 4, d_k = 2, d_v = 5;
  FixedAttention a;
  a.X = Mat::Constant(T, d_in, 0.5);
  a.W_Q = Mat::Constant(d_in, d_k, 0.25);
  a.W_K = Mat::Constant(d_in, d_k, -0.25);
  a.W_V = Mat::Constant(d_in, d_v, 1.0);
  Parameters params = fixed_attention_parameters(a);
  Trace trace;
  run_fixed_attention(a, params, trace);

  const std::uint64_t products = 2 * T * d_in * d_k * 2  // Q = X W_Q, K = X W_K
                                 + 2 * T * d_in * d_v    // V = X W_V
                                 + 2 * T * d_k * T       // S = Q Kᵀ
                                 + 2 * T * T * d_v;      // O = A V
  const std::uint64_t elements = T * T                   // S / √d_k
                                 + T * T                 // softmax
                                 + 1;                    // L = Σ O
  EXPECT_EQ(count_flops(trace), 3 * products + 2 * elements);
}

}  // namespace
}  // namespace attnviz::testing

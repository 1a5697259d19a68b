#pragma once
// The permutation experiment (lesson topic 5): without positional encoding, self-attention
// cannot tell word order.  Swap two source words and the encoder's output rows are the same
// rows, swapped; with positional encoding they differ.

#include "model/config.h"
#include "model/transformer.h"

#include <vector>

namespace attnviz::analysis {

struct SwapResult {
  Positional positional = Positional::none;
  int i = 0, j = 0;  // the swapped source positions
  std::vector<int> original_src, swapped_src;
  std::vector<int> permutation;         // swapped_src[t] = original_src[permutation[t]]
  Mat original_output, swapped_output;  // encoder output (memory), (T_src, d_model) each
  Mat row_difference;                   // (T_src, 1): max_c |swapped[t,c] − original[π(t),c]|
  Scalar max_difference = 0;            // max over t of row_difference
};

// Runs `model`'s weights with `positional` (every other setting unchanged) on `example` and on
// `example` with source positions i and j swapped, and compares the encoder outputs row by row
// after undoing the swap.  Throws InputError naming i or j when out of range.
SwapResult swap_experiment(const Transformer& model, const Example& example, int i, int j, Positional positional);

}  // namespace attnviz::analysis

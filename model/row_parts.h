#pragma once
// Row-wise work spread over the threads of model/parallel.h: a matrix of `rows` × `cols` values
// is cut into ranges of whole rows (or of whole columns, for sums down the columns) by its size,
// and each range is computed whole by one thread.  An op whose every value depends on its own
// row alone (or column alone) gives the same bits on any number of threads, and the same as
// uncut, so on one thread nothing is cut.
//
// Base's T × d_model activations (16 384 values) are cut in two, its T × d_ff ones in eight;
// nothing of lesson's or small's is cut.

#include "model/parallel.h"

#include <Eigen/Core>

#include <algorithm>

namespace attnviz {

// At least this many values before the work is cut: below it (a few µs), handing a part to a
// helper costs about what it saves.
constexpr Eigen::Index row_parallel_values = 16384;
// About this many values a part.
constexpr Eigen::Index row_part_values = 8192;

// The ranges `length` rows (or columns) of `width` values each are cut into: 1 below
// row_parallel_values or on one thread (a cut changes no bit, only the work's order), never
// more than `length`.
inline int row_part_count(Eigen::Index length, Eigen::Index width) {
  const Eigen::Index values = length * width;
  if (values < row_parallel_values || length < 2 || threads() == 1) return 1;
  return static_cast<int>(std::min<Eigen::Index>({values / row_part_values, length, 64}));
}

// f(begin, end) for consecutive ranges covering [0, length), over the threads when cut and a
// helper is awake (it spins for a while after each product): a few µs of work do not wake one.
template <class F>
void for_row_parts(Eigen::Index length, Eigen::Index width, F&& f) {
  const int parts = row_part_count(length, width);
  if (parts == 1) {
    f(Eigen::Index{0}, length);
    return;
  }
  run_pieces(
      parts, [&](int p) { f(length * p / parts, length * (p + 1) / parts); }, /*wake_helpers=*/false);
}

}  // namespace attnviz

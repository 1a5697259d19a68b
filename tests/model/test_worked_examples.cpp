// Worked examples A and B of the lesson notes (LESSONS.md), computed by the model's own ops.

#include "model/ops.h"
#include "helpers.h"

namespace attnviz::testing {
namespace {

Mat from_rows(std::initializer_list<std::initializer_list<double>> rows) {
  Mat m(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index r = 0;
  for (auto row : rows) {
    Eigen::Index c = 0;
    for (double v : row) m(r, c++) = v;
    ++r;
  }
  return m;
}

// Example A: one head, X (3×4), W_Q, W_K, W_V (4×3) as the notes write them (Q = X W_Q).  The
// model's linear is Y = X Wᵀ + b, so it is given Wᵀ and a zero bias.
TEST(WorkedExampleA, SelfAttentionByHand) {
  const Mat X = from_rows({{1, 0, 1, 0}, {0, 2, 0, 2}, {1, 1, 1, 1}});
  const Mat WQ = from_rows({{1, 0, 1}, {1, 0, 0}, {0, 0, 1}, {0, 1, 1}});
  const Mat WK = from_rows({{0, 0, 1}, {1, 1, 0}, {0, 1, 0}, {1, 1, 0}});
  const Mat WV = from_rows({{0, 2, 0}, {0, 3, 0}, {1, 0, 3}, {1, 1, 0}});
  const Mat zero = Mat::Zero(1, 3);
  Mat Q, K, V, S, scaled, A, O;
  ops::linear_forward(Q, X, WQ.transpose(), zero);
  ops::linear_forward(K, X, WK.transpose(), zero);
  ops::linear_forward(V, X, WV.transpose(), zero);
  ops::scores_forward(S, Q, K);
  ops::scale_forward(scaled, S, 1.0 / std::sqrt(3.0));
  std::vector<int> fully_masked;
  ops::softmax_forward(A, scaled, fully_masked);
  ops::weighted_sum_forward(O, A, V);

  EXPECT_TRUE(Q.isApprox(from_rows({{1, 0, 2}, {2, 2, 2}, {2, 1, 3}})));
  EXPECT_TRUE(K.isApprox(from_rows({{0, 1, 1}, {4, 4, 0}, {2, 3, 1}})));
  EXPECT_TRUE(V.isApprox(from_rows({{1, 2, 3}, {2, 8, 0}, {2, 6, 3}})));
  EXPECT_TRUE(S.isApprox(from_rows({{2, 4, 4}, {4, 16, 12}, {4, 12, 10}})));
  const Mat A_notes = from_rows(
      {{0.1361258, 0.4319371, 0.4319371}, {0.0008904474, 0.9088426, 0.09026691}, {0.007444892, 0.7547076, 0.2378475}});
  const Mat O_notes =
      from_rows({{1.863874, 6.319371, 1.704189}, {1.999110, 7.814124, 0.273472}, {1.992555, 7.479636, 0.735877}});
  EXPECT_LE((A - A_notes).cwiseAbs().maxCoeff(), 1e-6) << A;
  EXPECT_LE((O - O_notes).cwiseAbs().maxCoeff(), 1e-6) << O;
}

// Example B: the interleaved sinusoidal encoding, n = 4 positions, d = 8.
TEST(WorkedExampleB, PositionalEncodingRows) {
  Mat PE;
  ops::positional_encoding(PE, Positional::interleaved, 4, 8);
  const Mat row0 = from_rows({{0, 1, 0, 1, 0, 1, 0, 1}});
  const Mat row1 =
      from_rows({{0.8414710, 0.5403023, 0.09983342, 0.9950042, 0.009999833, 0.9999500, 0.0009999998, 0.9999995}});
  EXPECT_LE((PE.row(0) - row0).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_LE((PE.row(1) - row1).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_LE(PE.cwiseAbs().maxCoeff(), 1.0);
}

// The concatenated layout holds the same values, sines left and cosines right.
TEST(WorkedExampleB, ConcatenatedLayoutIsAColumnPermutation) {
  Mat inter, concat;
  ops::positional_encoding(inter, Positional::interleaved, 20, 16);
  ops::positional_encoding(concat, Positional::concatenated, 20, 16);
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(concat.col(i), inter.col(2 * i));
    EXPECT_EQ(concat.col(8 + i), inter.col(2 * i + 1));
  }
}

}  // namespace
}  // namespace attnviz::testing

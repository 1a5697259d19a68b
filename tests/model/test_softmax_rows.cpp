// Rows of 8 keys or fewer (a lesson's heads) take a path of their own, a row per lane
// (ops.cpp, softmax_short_rows); it must give the bits of the row-by-row path.  A key of −∞
// adds exactly 0 to its row's sum and leaves its max, so S with −∞ keys appended (12 in all)
// goes the row-by-row way and must give the same weights in its first columns, the same fully
// masked rows, and the same max and sum of exponentials (cross-entropy keeps them).

#include "model/ops.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace attnviz::testing {
namespace {

constexpr double neg_inf = -std::numeric_limits<double>::infinity();

// Random scores with −∞ keys here and there, a fully masked row, a row of large magnitudes and
// a row of equal keys.
Mat scores(int rows, int keys, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 3.0);
  std::uniform_int_distribution<int> die(0, 5);
  Mat S(rows, keys);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < keys; ++j) S(i, j) = die(rng) == 0 ? neg_inf : normal(rng);
  if (rows > 1) S.row(1).setConstant(neg_inf);
  if (rows > 2) S.row(2) *= 200.0;
  if (rows > 3) S.row(3).setConstant(0.25);
  return S;
}

Mat with_masked_keys(const Mat& S, int total) {
  Mat wide = Mat::Constant(S.rows(), total, neg_inf);
  wide.leftCols(S.cols()) = S;
  return wide;
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

void expect_same_bits(const Mat& short_path, const Mat& long_path, int rows, int cols, const char* what) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      EXPECT_TRUE(same_bits(short_path(i, j), long_path(i, j)))
          << what << "(" << i << ", " << j << "): " << short_path(i, j) << " vs " << long_path(i, j);
}

TEST(SoftmaxShortRows, GiveTheBitsOfTheRowByRowPath) {
  std::mt19937_64 rng(11);
  for (int keys = 1; keys <= 8; ++keys)
    for (int rows : {1, 5, 8, 11, 17}) {
      SCOPED_TRACE(::testing::Message() << rows << " rows of " << keys << " keys");
      const Mat S = scores(rows, keys, rng);
      Mat A, W;
      std::vector<int> masked_short, masked_long;
      ops::softmax_forward(A, S, masked_short);
      ops::softmax_forward(W, with_masked_keys(S, 12), masked_long);
      expect_same_bits(A, W, rows, keys, "A");
      EXPECT_EQ(masked_short, masked_long);
      if (rows > 1) {
        EXPECT_EQ(masked_short.front(), 1);
      }
    }
}

TEST(SoftmaxShortRows, CrossEntropyKeepsTheSameMaxAndSum) {
  std::mt19937_64 rng(12);
  for (int vocab = 2; vocab <= 8; ++vocab) {
    SCOPED_TRACE(::testing::Message() << "vocabulary of " << vocab);
    Mat Z = scores(9, vocab, rng);
    Z.row(1).setConstant(1.5);  // a target's logit of −∞ would make the loss +∞ on both paths
    Mat targets(9, 1);
    for (int i = 0; i < 9; ++i) targets(i, 0) = i % vocab;
    for (int i = 0; i < 9; ++i) Z(i, i % vocab) = 0.5 * i;
    Mat L, P, stats, L_long, P_long, stats_long;
    ops::cross_entropy_forward(L, P, stats, Z, targets, -1);
    ops::cross_entropy_forward(L_long, P_long, stats_long, with_masked_keys(Z, 12), targets, -1);
    expect_same_bits(P, P_long, 9, vocab, "P");
    expect_same_bits(stats, stats_long, 9, 2, "stats");
    expect_same_bits(L, L_long, 1, 1, "L");
  }
}

}  // namespace
}  // namespace attnviz::testing

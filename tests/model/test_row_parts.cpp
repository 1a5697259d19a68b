// Row-wise ops on matrices large enough to be cut into parts (model/row_parts.h), on two threads,
// give the bits of the same op on each row alone (never cut), or of the plain expression: a part
// computed differently from the whole, or a range left out, makes them differ.

#include "helpers.h"
#include "model/ops.h"
#include "model/parallel.h"
#include "model/finite_values.h"
#include "model/row_parts.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <vector>

namespace attnviz::testing {
namespace {

using Index = Eigen::Index;
constexpr Scalar minus_infinity = -std::numeric_limits<Scalar>::infinity();

::testing::AssertionResult same_bits(const Mat& a, const Mat& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    return ::testing::AssertionFailure() << a.rows() << "×" << a.cols() << " vs " << b.rows() << "×" << b.cols();
  for (Index i = 0; i < a.size(); ++i)
    if (std::memcmp(a.data() + i, b.data() + i, sizeof(Scalar)) != 0)
      return ::testing::AssertionFailure() << "element " << i << ": " << a.data()[i] << " vs " << b.data()[i];
  return ::testing::AssertionSuccess();
}

class RowParts : public ::testing::Test {
 protected:
  void SetUp() override { set_threads(2); }
  void TearDown() override { set_threads(available_cores()); }
  Random random{11};
  static constexpr int T = 64, d = 512;  // 32 768 values: four parts
};

TEST_F(RowParts, SizesAreCutBySizeAlone) {
  EXPECT_EQ(row_part_count(32, 64), 1);   // small's largest
  EXPECT_EQ(row_part_count(32, 512), 2);  // base's T × d_model
  EXPECT_EQ(row_part_count(32, 2048), 8);
  EXPECT_EQ(row_part_count(1, 1 << 20), 1);  // one row is never cut
  EXPECT_EQ(row_part_count(T, d), 4);
  set_threads(1);
  EXPECT_EQ(row_part_count(T, d), 1);  // nothing to spread
}

TEST_F(RowParts, EveryRangeIsVisitedOnce) {
  for (const Index length : {2, 3, 17, 64, 1000})
    for (const Index width : {1, 100, 5000, 70000}) {
      std::vector<int> visits(static_cast<std::size_t>(length), 0);
      std::atomic<int> ranges{0};
      for_row_parts(length, width, [&](Index begin, Index end) {
        ++ranges;
        for (Index i = begin; i < end; ++i) ++visits[static_cast<std::size_t>(i)];
      });
      EXPECT_EQ(ranges.load(), row_part_count(length, width));
      for (Index i = 0; i < length; ++i) ASSERT_EQ(visits[static_cast<std::size_t>(i)], 1) << length << " × " << width;
    }
}

TEST_F(RowParts, LayerNormGivesTheBitsOfEachRowAlone) {
  const Mat X = random_mat(random, T, d, -3, 3), gamma = random_mat(random, 1, d), beta = random_mat(random, 1, d);
  const Mat dY = random_mat(random, T, d);
  Mat Y, stats;
  ops::layer_norm_forward(Y, stats, X, gamma, beta, 1e-5);
  Mat dX(T, d), dgamma(1, d), dbeta(1, d);
  ops::layer_norm_backward({dX, true}, {dgamma, true}, {dbeta, true}, dY, X, gamma, stats);

  Mat dgamma_by_rows = Mat::Zero(1, d), dbeta_by_rows = Mat::Zero(1, d);
  for (Index t = 0; t < T; ++t) {
    Mat y, s, dx(1, d);
    ops::layer_norm_forward(y, s, X.row(t), gamma, beta, 1e-5);
    ASSERT_TRUE(same_bits(y, Y.row(t))) << "row " << t;
    ASSERT_TRUE(same_bits(s, stats.row(t))) << "row " << t;
    ops::layer_norm_backward({dx, true}, {dgamma_by_rows}, {dbeta_by_rows}, dY.row(t), X.row(t), gamma, s);
    ASSERT_TRUE(same_bits(dx, dX.row(t))) << "row " << t;
  }
  // dγ is a sum over t in order from the first row, cut or not
  EXPECT_TRUE(same_bits(dgamma, dgamma_by_rows));
}

TEST_F(RowParts, SoftmaxGivesTheBitsOfEachRowAlone) {
  Mat S = random_mat(random, T, d, -4, 4);
  for (Index j = 0; j < d; j += 3) S(5, j) = minus_infinity;
  S.row(40).setConstant(minus_infinity);  // every key masked
  const Mat dA = random_mat(random, T, d);
  Mat A, dS(T, d);
  std::vector<int> masked;
  ops::softmax_forward(A, S, masked);
  EXPECT_EQ(masked, std::vector<int>{40});
  ops::softmax_backward({dS, true}, dA, A);
  for (Index t = 0; t < T; ++t) {
    Mat a, ds(1, d);
    std::vector<int> row_masked;
    ops::softmax_forward(a, S.row(t), row_masked);
    ASSERT_TRUE(same_bits(a, A.row(t))) << "row " << t;
    ops::softmax_backward({ds, true}, dA.row(t), a);
    ASSERT_TRUE(same_bits(ds, dS.row(t))) << "row " << t;
  }
}

TEST_F(RowParts, CrossEntropyGivesTheBitsOfEachRowAlone) {
  const int V = 700, pad = 0;
  const Mat Z = random_mat(random, T, V, -5, 5);
  Mat targets(T, 1);
  for (Index t = 0; t < T; ++t) targets(t, 0) = t % 9 == 0 ? pad : static_cast<Scalar>(1 + (t * 37) % (V - 1));
  Mat L, P, stats, dZ(T, V);
  ops::cross_entropy_forward(L, P, stats, Z, targets, pad);
  ops::cross_entropy_backward({dZ, true}, 0.75, P, targets, pad);
  const Scalar share = 0.75 / ops::count_targets(targets, pad);
  for (Index t = 0; t < T; ++t) {
    Mat l, p, s;
    ops::cross_entropy_forward(l, p, s, Z.row(t), targets.row(t), pad);
    ASSERT_TRUE(same_bits(p, P.row(t))) << "row " << t;
    ASSERT_TRUE(same_bits(s, stats.row(t))) << "row " << t;
    Mat expected = Mat::Zero(1, V);
    const int y = static_cast<int>(targets(t, 0));
    if (y != pad) {
      expected += share * P.row(t);
      expected(0, y) -= share;
    }
    ASSERT_TRUE(same_bits(dZ.row(t), expected)) << "row " << t;
  }
}

TEST_F(RowParts, ElementwiseOpsGiveTheBitsOfTheWholeExpression) {
  const Mat X = random_mat(random, T, d, -3, 3), B = random_mat(random, T, d), dY = random_mat(random, T, d);
  Mat M = Mat::Ones(T, d);
  for (Index i = 0; i < M.size(); i += 7) M.data()[i] = 0;
  Mat Y;
  ops::relu_forward(Y, X);
  EXPECT_TRUE(same_bits(Y, X.cwiseMax(0.0)));
  ops::gelu_forward(Y, X);
  EXPECT_TRUE(same_bits(Y, X.unaryExpr([](Scalar x) { return x * ops::normal_cdf(x); })));
  ops::tanh_forward(Y, X);
  EXPECT_TRUE(same_bits(Y, X.array().tanh().matrix()));
  ops::scale_forward(Y, X, 0.125);
  EXPECT_TRUE(same_bits(Y, 0.125 * X));
  ops::add_forward(Y, X, B);
  EXPECT_TRUE(same_bits(Y, X + B));
  ops::mask_forward(Y, X, M);
  EXPECT_TRUE(same_bits(Y, (M.array() != 0).select(X, minus_infinity)));

  // Backward, written over a fresh gradient and added to one already holding B.
  for (const bool fresh : {true, false}) {
    const Mat start = fresh ? Mat::Zero(T, d) : B;
    // `share` unevaluated, as the op adds it (a product added may be fused into one rounding)
    const auto check = [&](auto&& op, const auto& share) {
      Mat g = fresh ? Mat(T, d) : B;
      op(ops::Grad(g, fresh));
      Mat expected = start;
      if (fresh)
        expected = share;
      else
        expected += share;
      EXPECT_TRUE(same_bits(g, expected)) << (fresh ? "fresh" : "added");
    };
    check([&](ops::Grad g) { ops::relu_backward(g, dY, X); }, (X.array() > 0).select(dY.array(), 0.0).matrix());
    check([&](ops::Grad g) { ops::gelu_backward(g, dY, X); },
          (X.unaryExpr([](Scalar x) { return ops::gelu_derivative(x); }).array() * dY.array()).matrix());
    check([&](ops::Grad g) { ops::tanh_backward(g, dY, X); }, (dY.array() * (1 - X.array().square())).matrix());
    check([&](ops::Grad g) { ops::scale_backward(g, dY, 0.125); }, 0.125 * dY);
    check([&](ops::Grad g) { ops::identity_backward(g, dY); }, dY);
    check([&](ops::Grad g) { ops::mask_backward(g, dY, M); }, (dY.array() * M.array()).matrix());
  }
}

TEST_F(RowParts, ScansGiveWhatTheWholeMatrixGives) {
  Mat m = random_mat(random, T, d);
  m(T - 3, 7) = -123.5;  // in the last part
  EXPECT_EQ(max_abs_in_parts(m), 123.5);
  EXPECT_TRUE(all_finite_in_parts(m));
  m(T / 2, d - 1) = std::numeric_limits<Scalar>::quiet_NaN();
  EXPECT_EQ(max_abs_in_parts(m), std::numeric_limits<Scalar>::infinity());
  EXPECT_FALSE(all_finite_in_parts(m));
}

}  // namespace
}  // namespace attnviz::testing

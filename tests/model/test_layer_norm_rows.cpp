// LayerNorm sums a row per lane, eight rows side by side (ops.cpp, row_stats and dxhat_sums).
// Each lane must give its row's sums as a loop over the row in order gives them, every product
// rounded before it is added: μ and 1/σ to the bit, and dX from the same sums.

#include "model/ops.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <random>

namespace attnviz::testing {
namespace {

Mat random(int rows, int cols, std::mt19937_64& rng, double scale = 1.0) {
  std::normal_distribution<double> normal(0.0, scale);
  Mat M(rows, cols);
  for (Eigen::Index i = 0; i < M.size(); ++i) M.data()[i] = normal(rng);
  return M;
}

// a · b rounded to a double: `volatile` keeps it from being fused into the sum it goes to.
double rounded_product(double a, double b) {
  const volatile double p = a * b;
  return p;
}

struct RowStats {
  double mean, rstd;
};

RowStats row_by_row(const Mat& X, Eigen::Index t, double eps) {
  const Eigen::Index d = X.cols();
  double sum = 0;
  for (Eigen::Index c = 0; c < d; ++c) sum += X(t, c);
  const double mean = sum / static_cast<double>(d);
  double squares = 0;
  for (Eigen::Index c = 0; c < d; ++c) squares += rounded_product(X(t, c) - mean, X(t, c) - mean);
  return {mean, 1.0 / std::sqrt(squares / static_cast<double>(d) + eps)};
}

bool same_bits(double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); }

TEST(LayerNormRows, StatisticsHaveTheBitsOfOneRowAtATime) {
  std::mt19937_64 rng(21);
  for (int d : {1, 3, 8, 13, 16, 20})
    for (int rows : {1, 5, 8, 11, 17}) {
      SCOPED_TRACE(::testing::Message() << rows << " rows of " << d);
      Mat X = random(rows, d, rng, 3.0);
      X.row(0).array() += 1e6;  // a large mean, whose squares lose bits to the order of the sum
      const Mat gamma = random(1, d, rng), beta = random(1, d, rng);
      Mat Y, stats;
      ops::layer_norm_forward(Y, stats, X, gamma, beta, 1e-5);
      for (int t = 0; t < rows; ++t) {
        const RowStats want = row_by_row(X, t, 1e-5);
        EXPECT_TRUE(same_bits(stats(t, 0), want.mean)) << "μ of row " << t;
        EXPECT_TRUE(same_bits(stats(t, 1), want.rstd)) << "1/σ of row " << t;
      }
    }
}

TEST(LayerNormRows, InputGradientFromTheRowsSums) {
  std::mt19937_64 rng(22);
  for (int d : {1, 3, 8, 13, 16, 20})
    for (int rows : {1, 5, 8, 11, 17}) {
      SCOPED_TRACE(::testing::Message() << rows << " rows of " << d);
      const Mat X = random(rows, d, rng, 2.0), gamma = random(1, d, rng), beta = random(1, d, rng);
      const Mat dY = random(rows, d, rng);
      Mat Y, stats, dX, dgamma, dbeta;
      ops::layer_norm_forward(Y, stats, X, gamma, beta, 1e-5);
      dX.resize(rows, d);
      dgamma.resize(1, d);
      dbeta.resize(1, d);
      ops::layer_norm_backward({dX, true}, {dgamma, true}, {dbeta, true}, dY, X, gamma, stats);
      for (int t = 0; t < rows; ++t) {
        const double mean = stats(t, 0), rstd = stats(t, 1);
        double sum_dxhat = 0, sum_dxhat_xhat = 0;
        for (int c = 0; c < d; ++c) {
          const double dxhat = dY(t, c) * gamma(0, c);
          sum_dxhat += dxhat;
          sum_dxhat_xhat += rounded_product(dxhat, (X(t, c) - mean) * rstd);
        }
        for (int c = 0; c < d; ++c) {
          const double xhat = (X(t, c) - mean) * rstd;
          const double want = (dY(t, c) * gamma(0, c) - sum_dxhat / d - xhat * (sum_dxhat_xhat / d)) * rstd;
          EXPECT_NEAR(dX(t, c), want, 1e-12 * (1 + std::abs(want))) << "dX(" << t << ", " << c << ")";
        }
      }
    }
}

}  // namespace
}  // namespace attnviz::testing

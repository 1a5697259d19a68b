// The model's matrix products against Eigen's, for shapes that take every path: narrower than
// one vector (masked), tiles with leftover rows and columns, the transposed tiles of a short A,
// and the streamed weight gradient.

#include "model/matmul.h"
#include "helpers.h"

#include <tuple>
#include <vector>

namespace attnviz::testing {
namespace {

// m, n, depth
const std::vector<std::tuple<int, int, int>> shapes = {
    {1, 1, 1},   {5, 4, 5},    {5, 16, 16},  {5, 32, 16},   {10, 64, 64},  {10, 256, 64},
    {8, 24, 3},  {16, 40, 17}, {24, 9, 33},  {32, 512, 64}, {32, 100, 48}, {33, 130, 7},
    {7, 77, 70}, {64, 8, 200}, {32, 31, 20}, {40, 97, 1},   {3, 1000, 9},  {32, 96, 128},
    {6, 14, 11}, {14, 22, 6},  {2, 3, 4},    {6, 6, 4},     {4, 12, 5},    {11, 2, 3},
};

double max_error(const Mat& a, const Mat& b) {
  EXPECT_EQ(a.rows(), b.rows());
  EXPECT_EQ(a.cols(), b.cols());
  return (a - b).cwiseAbs().maxCoeff();
}

class Matmul : public ::testing::TestWithParam<std::tuple<int, int, int>> {
 protected:
  Random random{7};
  int m = std::get<0>(GetParam()), n = std::get<1>(GetParam()), k = std::get<2>(GetParam());
  // Sums of k terms of size ≤ 1, in another order than Eigen's.
  double tolerance() const { return 1e-13 * (k + 1); }
};

// `product(C, accumulate)` gives `expected` into a C of another shape, and C0 + expected onto C0.
template <class Product>
void check(Random& random, const Mat& expected, double tolerance, Product product) {
  Mat C(3, 3);
  product(C, false);
  EXPECT_LT(max_error(C, expected), tolerance);
  const Mat C0 = random_mat(random, static_cast<int>(expected.rows()), static_cast<int>(expected.cols()));
  C = C0;
  product(C, true);
  EXPECT_LT(max_error(C, C0 + expected), tolerance);
}

TEST_P(Matmul, ABTransposed) {
  const Mat A = random_mat(random, m, k), B = random_mat(random, n, k);
  check(random, A * B.transpose(), tolerance(), [&](Mat& C, bool add) { matmul_nt(C, A, B, add); });
}

TEST_P(Matmul, AB) {
  const Mat A = random_mat(random, m, k), B = random_mat(random, k, n);
  check(random, A * B, tolerance(), [&](Mat& C, bool add) { matmul_nn(C, A, B, add); });
}

TEST_P(Matmul, ATransposedB) {
  const Mat A = random_mat(random, k, m), B = random_mat(random, k, n);
  const Mat expected = A.transpose() * B;
  check(random, expected, tolerance(), [&](Mat& C, bool add) { matmul_tn(C, A, B, add); });
  Mat C = Mat::Constant(m, n, 1e300);  // streamed over, never read
  matmul_tn(C, A, B, false, /*stream=*/true);
  EXPECT_LT(max_error(C, expected), tolerance());
}

INSTANTIATE_TEST_SUITE_P(Shapes, Matmul, ::testing::ValuesIn(shapes));

TEST(MatmulOrder, EveryElementIsSummedInOrderOfK) {
  // A product whose terms cancel only in order: 1e16 + 1 − 1e16 = 0 in order, 1 otherwise.
  for (int m : {1, 6, 8, 13, 32}) {
    Mat A = Mat::Ones(m, 3), B(40, 3);
    for (int j = 0; j < 40; ++j) B.row(j) << 1e16, 1, -1e16;
    Mat C;
    matmul_nt(C, A, B, false);
    EXPECT_EQ(C.cwiseAbs().maxCoeff(), 0.0) << m;
    const Mat Bt = B.transpose();  // rows m of C: 8 at a time, then the rest in one tile
    matmul_nn(C, A, Bt, false);
    EXPECT_EQ(C.cwiseAbs().maxCoeff(), 0.0) << m;
  }
}

}  // namespace
}  // namespace attnviz::testing

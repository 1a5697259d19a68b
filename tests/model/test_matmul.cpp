// The model's matrix products against Eigen's, for shapes that take every path: narrower than
// one vector (masked), tiles with leftover rows and columns, the transposed tiles of a short A,
// and the streamed weight gradient; each kernel on its own; products cut into parts give the
// same bits on one thread and on two; the model's kernel sums each element in order of k.

#include "model/matmul.h"
#include "model/parallel.h"
#include "helpers.h"

#include <cmath>
#include <cstring>
#include <tuple>
#include <vector>

namespace attnviz::testing {
namespace {

// m, n, depth; the last five: 25 to 32 columns of a transposed C (tiles of 6 × 4 vectors), and
// a transposed C's last 7 and 6 rows
const std::vector<std::tuple<int, int, int>> shapes = {
    {1, 1, 1},    {5, 4, 5},     {5, 16, 16},   {5, 32, 16},  {10, 64, 64}, {10, 256, 64}, {8, 24, 3},   {16, 40, 17},
    {24, 9, 33},  {32, 512, 64}, {32, 100, 48}, {33, 130, 7}, {7, 77, 70},  {64, 8, 200},  {32, 31, 20}, {40, 97, 1},
    {3, 1000, 9}, {32, 96, 128}, {6, 14, 11},   {14, 22, 6},  {2, 3, 4},    {6, 6, 4},     {4, 12, 5},   {11, 2, 3},
    {29, 70, 33}, {26, 45, 8},   {31, 200, 16}, {5, 23, 9},   {3, 14, 5},
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

// Each kernel on its own, whatever this CPU would choose.
TEST_P(Matmul, EachKernel) {
  const Mat A = random_mat(random, m, k), B = random_mat(random, k, n), Bt = B.transpose(), At = A.transpose();
  const Mat expected = A * B;
  for (Kernel kernel : {Kernel::model, Kernel::eigen}) {
    SCOPED_TRACE(to_string(kernel));
    check(random, expected, tolerance(), [&](Mat& C, bool add) { matmul_with(kernel, Product::nt, C, A, Bt, add); });
    check(random, expected, tolerance(), [&](Mat& C, bool add) { matmul_with(kernel, Product::nn, C, A, B, add); });
    check(random, expected, tolerance(), [&](Mat& C, bool add) { matmul_with(kernel, Product::tn, C, At, B, add); });
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Matmul, ::testing::ValuesIn(shapes));

// Products large enough to be cut into parts (base's shapes among them; ragged sizes too).
struct Large {
  Product product;
  int m, n, depth;
};
const std::vector<Large> large = {
    {Product::nt, 32, 512, 512}, {Product::nt, 32, 1000, 512}, {Product::nt, 21, 709, 333},
    {Product::nt, 600, 40, 300}, {Product::nn, 32, 512, 2048}, {Product::nn, 32, 2048, 512},
    {Product::nn, 17, 555, 301}, {Product::tn, 512, 512, 32},  {Product::tn, 1000, 512, 32},
    {Product::tn, 333, 444, 29}, {Product::nt, 27, 601, 200},
};

class Parts : public ::testing::TestWithParam<Large> {
 protected:
  void TearDown() override { set_threads(available_cores()); }
  Random random{11};
  const Large& p = GetParam();
  Mat A = p.product == Product::tn ? random_mat(random, p.depth, p.m) : random_mat(random, p.m, p.depth);
  Mat B = p.product == Product::nt ? random_mat(random, p.n, p.depth) : random_mat(random, p.depth, p.n);
  Mat C0 = random_mat(random, p.m, p.n);
};

TEST_P(Parts, TwoThreadsGiveTheBitsOfOne) {
  const ProductShape shape{p.product, p.m, p.n, p.depth};
  ASSERT_GT(product_parts(shape), 1);
  for (Kernel kernel : {Kernel::model, Kernel::eigen})
    for (int write = 0; write < 3; ++write) {  // =, +=, = streamed
      SCOPED_TRACE(std::string(to_string(kernel)) + " write " + std::to_string(write));
      const bool add = write == 1, stream = write == 2;
      Mat one = C0, two = C0;
      set_threads(1);
      matmul_with(kernel, p.product, one, A, B, add, stream);
      set_threads(2);
      matmul_with(kernel, p.product, two, A, B, add, stream);
      EXPECT_TRUE(same_bits(one, two));
      const Mat At = p.product == Product::tn ? Mat(A.transpose()) : A;
      const Mat Bn = p.product == Product::nt ? Mat(B.transpose()) : B;
      const Mat expected = add ? Mat(C0 + At * Bn) : Mat(At * Bn);
      EXPECT_LT(max_error(two, expected), 1e-13 * (p.depth + 1));
    }
}

// The model's kernel, cut into parts on two threads: each C[i,j] is the sum over k in order,
// from 0, by fused multiply-adds where the CPU has them, then added to C: bit for bit.
TEST_P(Parts, ModelKernelSumsEachElementInOrder) {
  set_threads(2);
  for (bool add : {false, true}) {
    Mat C = C0;
    matmul_with(Kernel::model, p.product, C, A, B, add);
    // Every element of a few rows and columns: across every part and tile.
    int checked = 0;
    for (int i = 0; i < p.m; ++i)
      for (int j = 0; j < p.n; ++j) {
        if (!(i % 7 == 0 || i == p.m - 1 || j % 23 == 0 || j == p.n - 1)) continue;
        double sum = 0;
        for (int k = 0; k < p.depth; ++k) {
          const double a = p.product == Product::tn ? A(k, i) : A(i, k);
          const double b = p.product == Product::nt ? B(j, k) : B(k, j);
#if defined(__FP_FAST_FMA)
          sum = std::fma(a, b, sum);
#else
          sum += a * b;
#endif
        }
        const double expected = add ? C0(i, j) + sum : sum;
        if (std::memcmp(&expected, &C(i, j), sizeof expected) != 0 && checked++ < 3)
          ADD_FAILURE() << "accumulate " << add << ": C[" << i << "," << j << "] = " << C(i, j) << ", in order "
                        << expected;
      }
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Parts, ::testing::ValuesIn(large), [](const auto& info) {
  const Large& l = info.param;
  const char* name = l.product == Product::nt ? "ABt_" : l.product == Product::nn ? "AB_" : "AtB_";
  return name + std::to_string(l.m) + "x" + std::to_string(l.n) + "x" + std::to_string(l.depth);
});

TEST(KernelChoice, MeasuredOnceAndKeptForTheShape) {
  Random random{3};
  const Mat A = random_mat(random, 7, 29), B = random_mat(random, 29, 13);
  Mat C;
  matmul_nn(C, A, B, false);
  const auto find = [] {
    for (const KernelChoice& c : kernel_choices())
      if (c.shape == ProductShape{Product::nn, 7, 13, 29}) return std::optional<KernelChoice>(c);
    return std::optional<KernelChoice>();
  };
  const std::optional<KernelChoice> first = find();
  ASSERT_TRUE(first);
  EXPECT_GT(first->model_seconds, 0);
  EXPECT_GT(first->eigen_seconds, 0);
  // Eigen's exactly when its fastest run was more than 5 % faster than the model's.
  EXPECT_EQ(first->kernel == Kernel::eigen, first->eigen_seconds < 0.95 * first->model_seconds);
  const std::size_t shapes = kernel_choices().size();
  for (int i = 0; i < 20; ++i) matmul_nn(C, A, B, false);
  // Added to C: the same sums, so the same choice, not measured again.
  Mat D = Mat::Zero(7, 13);
  matmul_nn(D, A, B, true);
  EXPECT_EQ(kernel_choices().size(), shapes);
  EXPECT_EQ(find()->model_seconds, first->model_seconds);
  EXPECT_LT(max_error(C, A * B), 1e-12);
  EXPECT_TRUE(same_bits(C, D));
}

TEST(KernelChoice, ForcedKernelIsUsedEverywhere) {
  // Deeper than Eigen's blocks of k, so that its sums and the model's round apart.
  Random random{4};
  const Mat A = random_mat(random, 9, 600), B = random_mat(random, 600, 33);
  Mat by[2];
  for (Kernel kernel : {Kernel::model, Kernel::eigen}) {
    force_kernel(kernel);
    Mat& C = by[static_cast<int>(kernel)];
    matmul_nn(C, A, B, false);
    Mat D;
    matmul_with(kernel, Product::nn, D, A, B, false);
    EXPECT_TRUE(same_bits(C, D)) << to_string(kernel);
  }
  force_kernel(std::nullopt);
  EXPECT_FALSE(same_bits(by[0], by[1]));
  EXPECT_LT(max_error(by[0], by[1]), 1e-11);
}

// A linear layer's dX = dY W and dW = dYᵀ X as one job give the bits of the two products one
// after another, written over or added to, on two threads, with each kernel; and where one of
// them is too small to cut (each then runs alone).
TEST(KernelChoice, ALinearLayersTwoProductsAsOneJobGiveTheirOwnBits) {
  set_threads(2);
  Random random{5};
  for (const int out : {512, 40})
    for (Kernel kernel : {Kernel::model, Kernel::eigen}) {
      force_kernel(kernel);
      const Mat dY = random_mat(random, 32, out), W = random_mat(random, out, 256), X = random_mat(random, 32, 256);
      for (bool add : {false, true}) {
        Mat dX = random_mat(random, 32, 256), dW = random_mat(random, out, 256);
        Mat dX_alone = dX, dW_alone = dW;
        matmul_nn(dX_alone, dY, W, add);
        matmul_tn(dW_alone, dY, X, add, true);
        matmul_nn_and_tn(dX, dY, W, add, dW, dY, X, add, true);
        EXPECT_TRUE(same_bits(dX, dX_alone)) << out << " " << to_string(kernel) << " " << add;
        EXPECT_TRUE(same_bits(dW, dW_alone)) << out << " " << to_string(kernel) << " " << add;
      }
    }
  force_kernel(std::nullopt);
  EXPECT_GT(product_parts({Product::nn, 32, 256, 512}), 1);
  EXPECT_GT(product_parts({Product::tn, 512, 256, 32}), 1);
  set_threads(available_cores());
}

}  // namespace
}  // namespace attnviz::testing

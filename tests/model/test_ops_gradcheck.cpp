// Finite-difference checks of every op's backward, in double precision.  Each op is wrapped in
// L = Σ R ⊙ Y for a fixed random R, so ∂L/∂Y = R.

// GCC 12 warns that '__Y' is used uninitialized inside its own AVX-512 intrinsics, as Eigen's
// vectorised exp inlines them here: a false positive (GCC bug 105593), silenced in this file.
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "model/ops.h"
#include "helpers.h"

#include <functional>
#include <limits>

namespace attnviz::testing {
namespace {

class OpGradcheck : public ::testing::Test {
 protected:
  Random random{42};
  Mat R;  // ∂L/∂Y
  double loss(const Mat& Y) { return (R.array() * Y.array()).sum(); }
  void upstream(int rows, int cols) { R = random_mat(random, rows, cols); }
};

TEST_F(OpGradcheck, Linear) {
  Mat X = random_mat(random, 5, 4), W = random_mat(random, 3, 4), b = random_mat(random, 1, 3), Y;
  upstream(5, 3);
  auto f = [&] {
    ops::linear_forward(Y, X, W, b);
    return loss(Y);
  };
  Mat dX = Mat::Zero(5, 4), dW = Mat::Zero(3, 4), db = Mat::Zero(1, 3);
  f();
  ops::linear_backward(dX, dW, db, R, X, W);
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
  EXPECT_TRUE(same_gradient(dW, numeric_gradient(W, f)));
  EXPECT_TRUE(same_gradient(db, numeric_gradient(b, f)));
}

TEST_F(OpGradcheck, Embedding) {
  Mat ids(4, 1);
  ids << 2, 0, 2, 5;  // a repeated id accumulates
  Mat W = random_mat(random, 6, 3), Y;
  upstream(4, 3);
  auto f = [&] {
    ops::embedding_forward(Y, ids, W);
    return loss(Y);
  };
  Mat dW = Mat::Zero(6, 3);
  ops::embedding_backward(dW, R, ids);
  EXPECT_TRUE(same_gradient(dW, numeric_gradient(W, f)));
}

TEST_F(OpGradcheck, ScaleAndAdd) {
  Mat X = random_mat(random, 3, 4), B = random_mat(random, 3, 4), Y;
  upstream(3, 4);
  auto f = [&] {
    Mat S;
    ops::scale_forward(S, X, 0.37);
    ops::add_forward(Y, S, B);
    return loss(Y);
  };
  Mat dS = Mat::Zero(3, 4), dX = Mat::Zero(3, 4), dB = Mat::Zero(3, 4);
  ops::identity_backward(dS, R);
  ops::identity_backward(dB, R);
  ops::scale_backward(dX, dS, 0.37);
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
  EXPECT_TRUE(same_gradient(dB, numeric_gradient(B, f)));
}

TEST_F(OpGradcheck, SplitAndConcatHeads) {
  Mat X = random_mat(random, 3, 6), Y;
  upstream(3, 6);
  // Y = concat(split(X, 0), split(X, 1), split(X, 2)) = X, through both ops.
  auto f = [&] {
    std::vector<Mat> parts(3);
    for (int h = 0; h < 3; ++h) ops::split_head_forward(parts[h], X, h, 2);
    ops::concat_heads_forward(Y, {&parts[0], &parts[1], &parts[2]});
    return loss(Y);
  };
  Mat dX = Mat::Zero(3, 6);
  for (int h = 0; h < 3; ++h) {
    Mat dpart = Mat::Zero(3, 2);
    ops::concat_heads_backward(dpart, R, h, 2);
    ops::split_head_backward(dX, dpart, h, 2);
  }
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
}

TEST_F(OpGradcheck, ScoresAndWeightedSum) {
  Mat Q = random_mat(random, 3, 4), K = random_mat(random, 5, 4), A = random_mat(random, 3, 5),
      V = random_mat(random, 5, 2), S, O;
  upstream(3, 5);
  auto fs = [&] {
    ops::scores_forward(S, Q, K);
    return loss(S);
  };
  Mat dQ = Mat::Zero(3, 4), dK = Mat::Zero(5, 4);
  ops::scores_backward(dQ, dK, R, Q, K);
  EXPECT_TRUE(same_gradient(dQ, numeric_gradient(Q, fs)));
  EXPECT_TRUE(same_gradient(dK, numeric_gradient(K, fs)));

  upstream(3, 2);
  auto fo = [&] {
    ops::weighted_sum_forward(O, A, V);
    return loss(O);
  };
  Mat dA = Mat::Zero(3, 5), dV = Mat::Zero(5, 2);
  ops::weighted_sum_backward(dA, dV, R, A, V);
  EXPECT_TRUE(same_gradient(dA, numeric_gradient(A, fo)));
  EXPECT_TRUE(same_gradient(dV, numeric_gradient(V, fo)));
}

TEST_F(OpGradcheck, StackRows) {
  std::vector<Mat> X{random_mat(random, 1, 3), random_mat(random, 1, 3), random_mat(random, 1, 3)};
  Mat Y;
  upstream(3, 3);
  auto f = [&] {
    ops::stack_rows_forward(Y, {&X[0], &X[1], &X[2]});
    return loss(Y);
  };
  for (int t = 0; t < 3; ++t) {
    Mat dX = Mat::Zero(1, 3);
    ops::stack_rows_backward(dX, R, t);
    EXPECT_TRUE(same_gradient(dX, numeric_gradient(X[static_cast<std::size_t>(t)], f))) << t;
  }
}

TEST_F(OpGradcheck, Tanh) {
  Mat X = random_mat(random, 3, 4, -2, 2), Y;
  upstream(3, 4);
  auto f = [&] {
    ops::tanh_forward(Y, X);
    return loss(Y);
  };
  f();
  Mat dX = Mat::Zero(3, 4);
  ops::tanh_backward(dX, R, Y);
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
}

TEST_F(OpGradcheck, GruCell) {
  // Two rows (time steps of two sentences at once), e = 3 input features, d = 4 units.
  Mat X = random_mat(random, 2, 3), H = random_mat(random, 2, 4), W_x = random_mat(random, 12, 3),
      W_h = random_mat(random, 12, 4), b_x = random_mat(random, 1, 12), b_h = random_mat(random, 1, 12), Y, gates;
  upstream(2, 4);
  auto f = [&] {
    ops::gru_cell_forward(Y, gates, X, H, W_x, W_h, b_x, b_h);
    return loss(Y);
  };
  f();
  Mat dX = Mat::Zero(2, 3), dH = Mat::Zero(2, 4), dW_x = Mat::Zero(12, 3), dW_h = Mat::Zero(12, 4),
      db_x = Mat::Zero(1, 12), db_h = Mat::Zero(1, 12);
  ops::gru_cell_backward(dX, dH, dW_x, dW_h, db_x, db_h, R, X, H, W_x, W_h, gates);
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
  EXPECT_TRUE(same_gradient(dH, numeric_gradient(H, f)));
  EXPECT_TRUE(same_gradient(dW_x, numeric_gradient(W_x, f)));
  EXPECT_TRUE(same_gradient(dW_h, numeric_gradient(W_h, f)));
  EXPECT_TRUE(same_gradient(db_x, numeric_gradient(b_x, f)));
  EXPECT_TRUE(same_gradient(db_h, numeric_gradient(b_h, f)));
}

TEST_F(OpGradcheck, AdditiveScores) {
  // Two decoder states s (d = 3) against the keys of five encoder states, a = 6 hidden units.
  Mat S = random_mat(random, 2, 3), K = random_mat(random, 5, 6), W_s = random_mat(random, 6, 3),
      v = random_mat(random, 1, 6), E, hidden;
  upstream(2, 5);
  auto f = [&] {
    ops::additive_scores_forward(E, hidden, S, K, W_s, v);
    return loss(E);
  };
  f();
  Mat dS = Mat::Zero(2, 3), dK = Mat::Zero(5, 6), dW_s = Mat::Zero(6, 3), dv = Mat::Zero(1, 6);
  ops::additive_scores_backward(dS, dK, dW_s, dv, R, S, W_s, v, hidden);
  EXPECT_TRUE(same_gradient(dS, numeric_gradient(S, f)));
  EXPECT_TRUE(same_gradient(dK, numeric_gradient(K, f)));
  EXPECT_TRUE(same_gradient(dW_s, numeric_gradient(W_s, f)));
  EXPECT_TRUE(same_gradient(dv, numeric_gradient(v, f)));
}

// A fresh gradient is written over whatever it held (here NaN), and gets the bits that adding
// into zeros gives.
TEST_F(OpGradcheck, FreshGradientsAreWrittenOver) {
  // Runs `op` on gradients of these shapes twice: added into zeros, then fresh over NaN.
  const auto same = [&](std::vector<std::pair<int, int>> shapes,
                        const std::function<void(std::vector<ops::Grad>)>& op) {
    std::vector<Mat> added, fresh;
    std::vector<ops::Grad> add_to, write_over;
    for (auto [rows, cols] : shapes) {
      added.push_back(Mat::Zero(rows, cols));
      fresh.push_back(Mat::Constant(rows, cols, std::numeric_limits<double>::quiet_NaN()));
    }
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      add_to.emplace_back(added[i]);
      write_over.emplace_back(fresh[i], true);
    }
    op(add_to);
    op(write_over);
    for (std::size_t i = 0; i < shapes.size(); ++i) EXPECT_EQ(fresh[i], added[i]) << i;
  };
  const Mat X = random_mat(random, 5, 4), W = random_mat(random, 3, 4), dY = random_mat(random, 5, 3);
  same({{5, 4}, {3, 4}, {1, 3}}, [&](auto g) { ops::linear_backward(g[0], g[1], g[2], dY, X, W); });
  const Mat Q = random_mat(random, 3, 4), K = random_mat(random, 5, 4), dS = random_mat(random, 3, 5);
  same({{3, 4}, {5, 4}}, [&](auto g) { ops::scores_backward(g[0], g[1], dS, Q, K); });
  const Mat A = random_mat(random, 3, 5, 0, 1), V = random_mat(random, 5, 2), dO = random_mat(random, 3, 2);
  same({{3, 5}, {5, 2}}, [&](auto g) { ops::weighted_sum_backward(g[0], g[1], dO, A, V); });
  Mat ids(4, 1);
  ids << 2, 0, 2, 5;
  const Mat dE = random_mat(random, 4, 3);
  same({{6, 3}}, [&](auto g) { ops::embedding_backward(g[0], dE, ids); });
  same({{3, 5}}, [&](auto g) { ops::scale_backward(g[0], dS, 0.37); });
  same({{3, 5}}, [&](auto g) { ops::identity_backward(g[0], dS); });
  const Mat dH = random_mat(random, 3, 6);
  same({{3, 6}}, [&](auto g) { ops::split_head_backward(g[0], dS.leftCols(2), 1, 2); });
  same({{3, 2}}, [&](auto g) { ops::concat_heads_backward(g[0], dH, 2, 2); });
  Mat M = Mat::Ones(3, 5);
  M(1, 2) = 0;
  same({{3, 5}}, [&](auto g) { ops::mask_backward(g[0], dS, M); });
  same({{3, 5}}, [&](auto g) { ops::softmax_backward(g[0], dS, A); });
  same({{3, 5}}, [&](auto g) { ops::relu_backward(g[0], dS, A.array() - 0.5); });
  same({{3, 5}}, [&](auto g) { ops::gelu_backward(g[0], dS, A.array() - 0.5); });
  const Mat gamma = random_mat(random, 1, 4), dN = random_mat(random, 5, 4);
  Mat normed, stats;
  ops::layer_norm_forward(normed, stats, X, gamma, Mat::Zero(1, 4), 1e-5);
  same({{5, 4}, {1, 4}, {1, 4}}, [&](auto g) { ops::layer_norm_backward(g[0], g[1], g[2], dN, X, gamma, stats); });
  Mat targets(3, 1);
  targets << 1, 0, 4;
  same({{3, 5}}, [&](auto g) { ops::cross_entropy_backward(g[0], 1.0, A, targets, 0); });
  same({{3, 5}}, [&](auto g) { ops::tanh_backward(g[0], dS, A); });
  same({{1, 5}}, [&](auto g) { ops::stack_rows_backward(g[0], dS, 2); });
  const Mat x = random_mat(random, 2, 3), h = random_mat(random, 2, 4), W_x = random_mat(random, 12, 3),
            W_h = random_mat(random, 12, 4), b = random_mat(random, 1, 12), dh = random_mat(random, 2, 4);
  Mat h_next, gates;
  ops::gru_cell_forward(h_next, gates, x, h, W_x, W_h, b, b);
  same({{2, 3}, {2, 4}, {12, 3}, {12, 4}, {1, 12}, {1, 12}},
       [&](auto g) { ops::gru_cell_backward(g[0], g[1], g[2], g[3], g[4], g[5], dh, x, h, W_x, W_h, gates); });
  const Mat W_s = random_mat(random, 6, 4), keys = random_mat(random, 5, 6), v = random_mat(random, 1, 6),
            dEnergy = random_mat(random, 5, 5);
  Mat E, hidden;
  ops::additive_scores_forward(E, hidden, X, keys, W_s, v);
  same({{5, 4}, {5, 6}, {6, 4}, {1, 6}},
       [&](auto g) { ops::additive_scores_backward(g[0], g[1], g[2], g[3], dEnergy, X, W_s, v, hidden); });
}

TEST_F(OpGradcheck, MaskThenSoftmax) {
  Mat S = random_mat(random, 4, 4, -3, 3), M(4, 4), masked, A;
  M << 1, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0;  // the last row is fully masked: zero weights, zero gradient
  upstream(4, 4);
  std::vector<int> fully;
  auto f = [&] {
    fully.clear();
    ops::mask_forward(masked, S, M);
    ops::softmax_forward(A, masked, fully);
    return loss(A);
  };
  f();
  EXPECT_EQ(fully, std::vector<int>{3});
  Mat dmasked = Mat::Zero(4, 4), dS = Mat::Zero(4, 4);
  ops::softmax_backward(dmasked, R, A);
  ops::mask_backward(dS, dmasked, M);
  EXPECT_TRUE(same_gradient(dS, numeric_gradient(S, f)));
  EXPECT_TRUE(A.allFinite());
  EXPECT_TRUE(dS.allFinite());
}

TEST_F(OpGradcheck, LayerNorm) {
  Mat X = random_mat(random, 3, 6, -2, 2), g = random_mat(random, 1, 6, 0.5, 1.5), b = random_mat(random, 1, 6), Y,
      stats;
  upstream(3, 6);
  auto f = [&] {
    ops::layer_norm_forward(Y, stats, X, g, b, 1e-5);
    return loss(Y);
  };
  f();
  for (int t = 0; t < 3; ++t) {
    const double mean = X.row(t).mean(), var = (X.row(t).array() - mean).square().mean();
    EXPECT_NEAR(stats(t, 0), mean, 1e-12);
    EXPECT_NEAR(stats(t, 1), 1 / std::sqrt(var + 1e-5), 1e-12);
  }
  const Mat forward_stats = stats;  // numeric_gradient's runs overwrite `stats`
  Mat dX = Mat::Zero(3, 6), dg = Mat::Zero(1, 6), db = Mat::Zero(1, 6);
  ops::layer_norm_backward(dX, dg, db, R, X, g, forward_stats);
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
  EXPECT_TRUE(same_gradient(dg, numeric_gradient(g, f)));
  EXPECT_TRUE(same_gradient(db, numeric_gradient(b, f)));
}

TEST_F(OpGradcheck, Relu) {
  Mat X = random_mat(random, 4, 5), Y;
  for (Eigen::Index i = 0; i < X.size(); ++i)  // keep away from the kink at 0
    if (std::abs(X.data()[i]) < 0.01) X.data()[i] = 0.5;
  upstream(4, 5);
  auto f = [&] {
    ops::relu_forward(Y, X);
    return loss(Y);
  };
  Mat dX = Mat::Zero(4, 5);
  ops::relu_backward(dX, R, X);
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
}

// GELU'(x) = Φ(x) + x φ(x) against central differences, over the range a hidden unit sees; and
// the values PyTorch's F.gelu gives (exact erf GELU): GELU(1) = Φ(1), GELU(−1) = −Φ(−1).
TEST_F(OpGradcheck, Gelu) {
  Mat X = random_mat(random, 4, 5, -4, 4), Y;
  upstream(4, 5);
  auto f = [&] {
    ops::gelu_forward(Y, X);
    return loss(Y);
  };
  Mat dX = Mat::Zero(4, 5);
  ops::gelu_backward(dX, R, X);
  EXPECT_TRUE(same_gradient(dX, numeric_gradient(X, f)));
  Mat points(1, 4);
  points << 1, -1, 0, 3;
  ops::gelu_forward(Y, points);
  EXPECT_NEAR(Y(0, 0), 0.8413447460685429, 1e-15);    // Φ(1)
  EXPECT_NEAR(Y(0, 1), -0.15865525393145707, 1e-15);  // −Φ(−1)
  EXPECT_EQ(Y(0, 2), 0);
  EXPECT_NEAR(Y(0, 3), 3 * 0.9986501019683699, 1e-14);
  EXPECT_EQ(ops::gelu_derivative(0), 0.5);
}

TEST_F(OpGradcheck, Sum) {
  Mat Y = random_mat(random, 3, 4), L;
  auto f = [&] {
    ops::sum_forward(L, Y);
    return 2.5 * L(0, 0);
  };  // upstream ∂(2.5 L)/∂L = 2.5
  Mat dY = Mat::Zero(3, 4);
  ops::sum_backward(dY, 2.5);
  EXPECT_TRUE(same_gradient(dY, numeric_gradient(Y, f)));
  Mat fresh = Mat::Constant(3, 4, 7);
  ops::sum_backward(ops::Grad(fresh, true), 1.0);
  EXPECT_EQ(fresh, Mat::Ones(3, 4));
}

TEST_F(OpGradcheck, CrossEntropyIgnoresPadding) {
  Mat Z = random_mat(random, 4, 6, -2, 2), targets(4, 1), L, P, stats;
  targets << 3, 5, 0, 1;  // row 2 is padding (pad id 0)
  auto f = [&] {
    ops::cross_entropy_forward(L, P, stats, Z, targets, 0);
    return L(0, 0);
  };
  f();
  Mat dZ = Mat::Zero(4, 6);
  ops::cross_entropy_backward(dZ, 1.0, P, targets, 0);
  EXPECT_TRUE(same_gradient(dZ, numeric_gradient(Z, f)));
  EXPECT_EQ(dZ.row(2).norm(), 0.0);
  const double expected = -(std::log(P(0, 3)) + std::log(P(1, 5)) + std::log(P(3, 1))) / 3;
  EXPECT_NEAR(L(0, 0), expected, 1e-12);
  EXPECT_EQ(stats(1, 0), Z.row(1).maxCoeff());
  EXPECT_NEAR(stats(1, 1), (Z.row(1).array() - Z.row(1).maxCoeff()).exp().sum(), 1e-12);
}

}  // namespace
}  // namespace attnviz::testing

// The depth network of LESSONS.md example D: gradients against central differences, the
// vanishing gradient of the plain stack against the residual one, and the Jacobian bounds.

#include "model/gradlab/depth_network.h"
#include "model/gradlab/seeded_uniform.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace attnviz::gradlab {
namespace {

bool gradcheck_passes(double analytic, double numeric) {
  return std::abs(analytic - numeric) <= 1e-5 + 1e-3 * std::abs(numeric);
}

std::string describe(Activation f, bool residual) {
  return std::string(to_string(f)) + (residual ? " residual" : " plain");
}

TEST(GradlabDepth, GradientsMatchCentralDifferences) {
  const double eps = 1e-6;
  for (Activation f : {Activation::sigmoid, Activation::tanh, Activation::relu}) {
    DepthConfig config;
    config.depth = 5;
    config.width = 4;
    config.activation = f;
    config.seed = 7;
    const DepthWeights weights = init_depth_weights(config);
    for (bool residual : {false, true}) {
      const DepthNetwork net = run_depth_network(weights, f, residual);
      auto loss = [&](const DepthWeights& w) { return run_depth_network(w, f, residual).loss; };

      for (int i = 0; i < config.width; ++i) {
        DepthWeights up = weights, down = weights;
        up.h0(i) += eps;
        down.h0(i) -= eps;
        const double numeric = (loss(up) - loss(down)) / (2 * eps);
        EXPECT_TRUE(gradcheck_passes(net.grad_h0(i), numeric))
            << describe(f, residual) << " ∂L/∂h0[" << i << "] " << net.grad_h0(i) << " vs " << numeric;
      }
      for (int l = 0; l < config.depth; ++l)
        for (int r = 0; r < config.width; ++r)
          for (int c = 0; c < config.width; ++c) {
            DepthWeights up = weights, down = weights;
            up.W[l](r, c) += eps;
            down.W[l](r, c) -= eps;
            const double numeric = (loss(up) - loss(down)) / (2 * eps);
            const double analytic = net.layers[l].grad_W(r, c);
            EXPECT_TRUE(gradcheck_passes(analytic, numeric)) << describe(f, residual) << " ∂L/∂W" << l + 1 << "[" << r
                                                             << "," << c << "] " << analytic << " vs " << numeric;
          }
    }
  }
}

// The lesson's claim with the default initialisation (U(±√(3/d)), d = 16): twenty sigmoid
// layers starve the first layer of gradient unless each layer adds its input back.
TEST(GradlabDepth, ResidualKeepsTheFirstLayerGradientAtDepthTwenty) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    DepthConfig config;
    config.seed = seed;
    ASSERT_EQ(config.depth, 20);
    ASSERT_EQ(config.activation, Activation::sigmoid);
    const DepthComparison result = compare_depth_networks(config);
    EXPECT_GE(result.first_layer_ratio, 100.0) << "seed " << seed;
    EXPECT_GE(result.residual.grad_h0_norm, 100.0 * result.plain.grad_h0_norm) << "seed " << seed;
    EXPECT_GE(result.residual.layers[0].grad_h_norm, 100.0 * result.plain.layers[0].grad_h_norm) << "seed " << seed;
  }
}

TEST(GradlabDepth, GradientNormsStayUnderTheProductOfJacobianNorms) {
  for (Activation f : {Activation::sigmoid, Activation::tanh, Activation::relu}) {
    DepthConfig config;
    config.activation = f;
    const DepthComparison result = compare_depth_networks(config);
    for (const DepthNetwork* net : {&result.plain, &result.residual}) {
      const std::vector<double> norms = net->grad_norm_curve();
      const std::vector<double> bounds = net->bound_curve();
      ASSERT_EQ(norms.size(), static_cast<std::size_t>(config.depth + 1));
      ASSERT_EQ(bounds.size(), norms.size());
      EXPECT_NEAR(norms.back(), 1.0, 1e-12);  // ∂L/∂h_L = g, a unit vector
      EXPECT_EQ(bounds.back(), 1.0);
      for (std::size_t l = 0; l < norms.size(); ++l)
        EXPECT_LE(norms[l], bounds[l] * (1 + 1e-12)) << describe(f, net->residual) << " h" << l;
      for (int l = 0; l < config.depth; ++l)
        EXPECT_NEAR(bounds[l], bounds[l + 1] * net->layers[l].jacobian_norm, 1e-12 * bounds[l]);
    }
  }
}

// σ' ≤ 1/4 caps every plain sigmoid Jacobian at ‖W‖/4; the residual one is I + diag(σ')W.
TEST(GradlabDepth, SigmoidJacobianNormsShrinkOnlyWithoutTheSkip) {
  const DepthComparison result = compare_depth_networks(DepthConfig{});
  for (int l = 0; l < result.config.depth; ++l) {
    EXPECT_LT(result.plain.layers[l].jacobian_norm, 1.0) << "layer " << l + 1;
    EXPECT_GE(result.residual.layers[l].jacobian_norm, 0.5) << "layer " << l + 1;
  }
}

TEST(GradlabDepth, SameSeedSameNetworks) {
  DepthConfig config;
  config.seed = 42;
  const DepthWeights a = init_depth_weights(config), b = init_depth_weights(config);
  for (int l = 0; l < config.depth; ++l) EXPECT_EQ(a.W[l], b.W[l]);
  EXPECT_EQ(a.h0, b.h0);
  config.seed = 43;
  EXPECT_NE(init_depth_weights(config).W[0], a.W[0]);
}

TEST(GradlabDepth, InitialWeightsFollowTheDocumentedRange) {
  DepthConfig config;
  config.width = 64;
  config.depth = 8;
  config.scale = 2.0;
  const DepthWeights weights = init_depth_weights(config);
  const double a = 2.0 * std::sqrt(3.0 / 64);
  double sum_squares = 0;
  int count = 0;
  for (const Mat& W : weights.W) {
    EXPECT_LE(W.cwiseAbs().maxCoeff(), a);
    sum_squares += W.squaredNorm();
    count += static_cast<int>(W.size());
  }
  EXPECT_NEAR(sum_squares / count, 4.0 / 64, 0.1 * 4.0 / 64);  // variance scale²/d
  EXPECT_NEAR(weights.readout.norm(), 1.0, 1e-15);
}

// The conversion is ours, so its numbers are fixed: the first draws of mt19937_64 seeded with
// 5489 (its default) are 14514284786278117030, 4620546740167642908, ….
TEST(GradlabDepth, SeededUniformIsTheTop53BitsOfEachDraw) {
  SeededUniform uniform(5489);
  EXPECT_EQ(uniform.next01(), static_cast<double>(14514284786278117030ull >> 11) * 0x1.0p-53);
  EXPECT_EQ(uniform.next01(), static_cast<double>(4620546740167642908ull >> 11) * 0x1.0p-53);
}

}  // namespace
}  // namespace attnviz::gradlab

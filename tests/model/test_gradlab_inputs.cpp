// Bad gradient-lab inputs are refused with a message that names the field and the value.

#include "model/error.h"
#include "model/gradlab/activation.h"
#include "model/gradlab/depth_network.h"
#include "model/gradlab/scalar_chain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

namespace attnviz::gradlab {
namespace {

// Runs `call`, expecting InputError whose message contains every one of `words`.
void expect_refused(const std::function<void()>& call, std::initializer_list<const char*> words) {
  try {
    call();
    ADD_FAILURE() << "accepted; expected a message with " << *words.begin();
  } catch (const InputError& e) {
    for (const char* word : words)
      EXPECT_NE(std::string(e.what()).find(word), std::string::npos)
          << "message '" << e.what() << "' lacks '" << word << "'";
  }
}

TEST(GradlabInputs, ScalarDepthOutsideThreeToTen) {
  for (int depth : {0, 2, 11}) {
    ScalarChainInput input;
    input.w.assign(depth, 0.1);
    const std::string shown = std::to_string(depth);
    expect_refused([&] { run_scalar_chain(input, Skip::none); }, {"depth", shown.c_str(), "3…10"});
  }
  ScalarChainInput ten;
  ten.w.assign(10, 0.1);
  EXPECT_NO_THROW(run_scalar_chain(ten, Skip::identity));
}

TEST(GradlabInputs, ScalarValuesMustBeFinite) {
  ScalarChainInput input;
  input.w[1] = NAN;
  expect_refused([&] { run_scalar_chain(input, Skip::none); }, {"w2", "nan"});
  input = ScalarChainInput{};
  input.x = INFINITY;
  expect_refused([&] { run_scalar_chain(input, Skip::weighted); }, {"x", "inf"});
  input = ScalarChainInput{};
  input.skip_weight = NAN;
  expect_refused([&] { run_scalar_chain(input, Skip::weighted); }, {"skip weight"});
}

TEST(GradlabInputs, ComparisonNeedsAResidualKind) {
  expect_refused([] { compare_scalar_chains(ScalarChainInput{}, Skip::none); }, {"none"});
}

TEST(GradlabInputs, NamesMustBeKnown) {
  expect_refused([] { parse_activation("softmax"); }, {"activation", "softmax", "sigmoid"});
  expect_refused([] { parse_skip("half"); }, {"skip", "half", "identity"});
  EXPECT_EQ(parse_activation("tanh"), Activation::tanh);
  EXPECT_EQ(parse_skip("identity"), Skip::identity);
}

TEST(GradlabInputs, DepthNetworkSizesAndScale) {
  auto run = [](DepthConfig config) { return [config] { compare_depth_networks(config); }; };
  DepthConfig config;
  config.depth = 65;
  expect_refused(run(config), {"depth", "65", "1…64"});
  config = DepthConfig{};
  config.depth = 0;
  expect_refused(run(config), {"depth", "0"});
  config = DepthConfig{};
  config.width = 100;
  expect_refused(run(config), {"width", "100", "1…64"});
  for (double scale : {0.0, -1.0, 11.0, double(NAN)}) {
    config = DepthConfig{};
    config.scale = scale;
    expect_refused(run(config), {"scale"});
  }
  config = DepthConfig{};
  config.depth = 64;
  config.width = 64;
  config.activation = Activation::relu;
  config.scale = 10.0;
  const DepthComparison largest = compare_depth_networks(config);
  EXPECT_TRUE(std::isfinite(largest.residual.grad_h0_norm));
}

}  // namespace
}  // namespace attnviz::gradlab

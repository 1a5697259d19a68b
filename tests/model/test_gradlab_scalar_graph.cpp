// The scalar chain at every depth 3…10, every activation and every skip kind: gradients agree
// with central differences, with the sum over chain-rule paths and with the one-step terms;
// the graph has the nodes a view draws and a backward order it can replay.

#include "model/gradlab/chain_rule.h"
#include "model/gradlab/scalar_chain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace attnviz::gradlab {
namespace {

struct Case {
  int depth;
  Activation activation;
  Skip skip;
};

std::vector<Case> every_case() {
  std::vector<Case> cases;
  for (int depth = min_scalar_depth; depth <= max_scalar_depth; ++depth)
    for (Activation f : {Activation::sigmoid, Activation::tanh, Activation::relu})
      for (Skip skip : {Skip::none, Skip::weighted, Skip::identity}) cases.push_back({depth, f, skip});
  return cases;
}

std::string describe(const Case& c) {
  return "depth " + std::to_string(c.depth) + ", " + to_string(c.activation) + ", skip " + to_string(c.skip);
}

// Weights of mixed sign and size, so no local derivative is trivially 0.1 or σ'(0).  ReLU gets
// their magnitudes: with x > 0 every z is then positive, away from the kink at 0, and the
// gradient is not zero everywhere.
ScalarChainInput input_for(const Case& c) {
  const double pattern[] = {0.9, -0.7, 1.3, 0.6, -1.1, 0.8, -0.5, 1.2, -0.9, 0.7};
  ScalarChainInput input;
  input.x = 0.8;
  input.target = 0.3;
  input.skip_weight = -0.6;
  input.activation = c.activation;
  input.w.clear();
  for (int k = 0; k < c.depth; ++k)
    input.w.push_back(c.activation == Activation::relu ? std::abs(pattern[k]) : pattern[k]);
  if (c.activation == Activation::relu) input.skip_weight = 0.6;
  return input;
}

// The input values a node stands for: x, w_k, w_r.
double& slot(ScalarChainInput& input, const std::string& name) {
  if (name == "x") return input.x;
  if (name == "wr") return input.skip_weight;
  return input.w.at(std::stoul(name.substr(1)) - 1);
}

bool gradcheck_passes(double analytic, double numeric) {
  return std::abs(analytic - numeric) <= 1e-5 + 1e-3 * std::abs(numeric);
}

TEST(GradlabScalarGraph, GradientsMatchCentralDifferences) {
  const double eps = 1e-6;
  for (const Case& c : every_case()) {
    const ScalarChainInput input = input_for(c);
    const ScalarGraph graph = run_scalar_chain(input, c.skip);
    std::vector<int> leaves = graph.weight_indices();
    leaves.push_back(graph.find("x"));
    for (int leaf : leaves) {
      const std::string& name = graph.nodes[leaf].name;
      ScalarChainInput up = input, down = input;
      slot(up, name) += eps;
      slot(down, name) -= eps;
      const double numeric = (run_scalar_chain(up, c.skip).loss() - run_scalar_chain(down, c.skip).loss()) / (2 * eps);
      const double analytic = graph.nodes[leaf].grad;
      EXPECT_TRUE(gradcheck_passes(analytic, numeric))
          << describe(c) << ": ∂L/∂" << name << " analytic " << analytic << " numeric " << numeric;
    }
  }
}

TEST(GradlabScalarGraph, PathSumsAndOneStepTermsEqualEveryNodeGradient) {
  for (const Case& c : every_case()) {
    const ScalarGraph graph = run_scalar_chain(input_for(c), c.skip);
    for (int node = 0; node < static_cast<int>(graph.nodes.size()); ++node) {
      const double grad = graph.nodes[node].grad;
      const double tolerance = 1e-12 * (1 + std::abs(grad));
      EXPECT_NEAR(chain_rule(graph, node).sum, grad, tolerance) << describe(c) << ", node " << graph.nodes[node].name;
      if (node == graph.loss_index()) continue;
      double terms = 0;
      for (const GradTerm& t : grad_terms(graph, node)) terms += t.product;
      EXPECT_NEAR(terms, grad, tolerance) << describe(c) << ", node " << graph.nodes[node].name;
    }
  }
}

TEST(GradlabScalarGraph, PathCountsFollowTheSkips) {
  for (int depth = min_scalar_depth; depth <= max_scalar_depth; ++depth) {
    ScalarChainInput input;
    input.w.assign(depth, 0.1);
    const ScalarGraph plain = run_scalar_chain(input, Skip::none);
    const ScalarGraph weighted = run_scalar_chain(input, Skip::weighted);
    const ScalarGraph identity = run_scalar_chain(input, Skip::identity);
    EXPECT_EQ(chain_rule(plain, plain.find("w1")).paths.size(), 1u);
    EXPECT_EQ(chain_rule(weighted, weighted.find("w1")).paths.size(), 2u);
    const int last_weight = weighted.weight_indices()[depth - 1];  // w_n
    EXPECT_EQ(weighted.nodes[last_weight].name, std::string("w").append(std::to_string(depth)));
    EXPECT_EQ(chain_rule(weighted, last_weight).paths.size(), 1u);
    // identity: every h_k (k < n) reaches h_{k+1} directly or through z_{k+1}: 2^(n−1) routes
    EXPECT_EQ(chain_rule(identity, identity.find("w1")).paths.size(), std::size_t{1} << (depth - 1));
  }
}

TEST(GradlabScalarGraph, NodesAreNamedAndOrderedForDrawing) {
  ScalarChainInput input;
  const ScalarGraph residual = run_scalar_chain(input, Skip::weighted);
  std::vector<std::string> names;
  for (const Node& n : residual.nodes) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"x", "w1", "z1", "h1", "w2", "z2", "h2", "w3", "wr", "z3", "y", "L"}));
  EXPECT_EQ(residual.node("z3").formula, "z3 = w3·h2 + wr·h1");
  EXPECT_EQ(residual.node("y").formula, "y = σ(z3)");

  std::vector<std::string> backward;
  for (int i : residual.backward_order) backward.push_back(residual.nodes[i].name);
  EXPECT_EQ(backward, (std::vector<std::string>{"L", "y", "z3", "wr", "w3", "h2", "z2", "w2", "h1", "z1", "w1", "x"}));

  const ScalarGraph identity = run_scalar_chain(input, Skip::identity);
  EXPECT_EQ(identity.find("wr"), -1);
  EXPECT_EQ(identity.node("h2").formula, "h2 = σ(z2) + h1");
  EXPECT_EQ(identity.node("h1").formula, "h1 = σ(z1) + x");
}

// Replaying backward_order one node at a time: when a node's turn comes, every node it feeds
// has already been visited, so its gradient can be shown as final.
TEST(GradlabScalarGraph, BackwardOrderVisitsResultsBeforeOperands) {
  for (const Case& c : every_case()) {
    const ScalarGraph graph = run_scalar_chain(input_for(c), c.skip);
    ASSERT_EQ(graph.backward_order.size(), graph.nodes.size());
    EXPECT_EQ(graph.backward_order.front(), graph.loss_index());
    std::vector<int> position(graph.nodes.size(), -1);
    for (int step = 0; step < static_cast<int>(graph.backward_order.size()); ++step)
      position[graph.backward_order[step]] = step;
    for (const Edge& e : graph.edges) EXPECT_LT(position[e.to], position[e.from]) << describe(c);
  }
}

// Lesson 14: with h2 = σ(z2) + h1 the factor between h2 and h1 is (σ'(z2)·w2 + 1).
TEST(GradlabScalarGraph, IdentitySkipAddsOneToTheLocalFactor) {
  const ScalarGraph identity = run_scalar_chain(ScalarChainInput{}, Skip::identity);
  const Node& h1 = identity.node("h1");
  const Node& h2 = identity.node("h2");
  const double z2 = identity.node("z2").value;
  const double factor = activate_derivative(Activation::sigmoid, z2) * 0.1 + 1.0;
  EXPECT_NEAR(h1.grad, h2.grad * factor, 1e-15);
}

}  // namespace
}  // namespace attnviz::gradlab

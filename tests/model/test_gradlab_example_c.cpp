// LESSONS.md worked example C: plain versus weighted-skip scalar chain, sigmoid, x = 0.5,
// w1 = w2 = w3 = w_r = 0.1, y_true = 1 (the ScalarChainInput defaults).  Each row of the
// lesson's table is recomputed by the model and compared with both columns.

#include "model/gradlab/chain_rule.h"
#include "model/gradlab/scalar_chain.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnviz::gradlab {
namespace {

const ScalarComparison& example_c() {
  static const ScalarComparison networks = compare_scalar_chains(ScalarChainInput{}, Skip::weighted);
  return networks;
}

double local(const ScalarGraph& graph, const char* from, const char* to) {
  const int f = graph.find(from), t = graph.find(to);
  for (const Edge& e : graph.edges)
    if (e.from == f && e.to == t) return e.local;
  ADD_FAILURE() << "no edge " << from << " → " << to;
  return NAN;
}

// The product of the one path from L to `node` that does (or does not) pass through `via`.
double path_product(const ScalarGraph& graph, const char* node, const char* via, bool through) {
  const ChainRule rule = chain_rule(graph, graph.find(node));
  const int v = graph.find(via);
  double product = NAN;
  int matches = 0;
  for (const ChainPath& path : rule.paths) {
    const bool passes = std::find(path.nodes.begin(), path.nodes.end(), v) != path.nodes.end();
    if (passes == through) product = path.product, ++matches;
  }
  EXPECT_EQ(matches, 1) << node << (through ? " through " : " avoiding ") << via;
  return product;
}

// A figure as the document prints it: its value and half a unit in its last digit.
struct Printed {
  double value;
  double half_unit;
};
Printed printed(const std::string& text) {
  const std::size_t point = text.find('.');
  const int decimals = point == std::string::npos ? 0 : static_cast<int>(text.size() - point - 1);
  return {std::stod(text), 0.5 * std::pow(10.0, -decimals)};
}

struct Row {
  const char* quantity;
  const char* document;  // "document says"; empty where it prints an expression, not a number
  double exact;          // "exact"
  std::function<double(const ScalarComparison&)> computed;
};

const std::vector<Row>& table() {
  using C = const ScalarComparison&;
  static const std::vector<Row> rows = {
      {"h1", "0.5125", 0.51249740, [](C n) { return n.plain.node("h1").value; }},
      {"y (plain)", "0.5128", 0.51281743, [](C n) { return n.plain.node("y").value; }},
      {"L (plain)", "0.2372", 0.23734685, [](C n) { return n.plain.loss(); }},
      {"∂L/∂y (plain)", "-0.9744", -0.97436514, [](C n) { return n.plain.node("y").grad; }},
      {"σ'(·) at output (plain)", "0.2498", 0.24983571, [](C n) { return local(n.plain, "z3", "y"); }},
      {"∂L/∂w3 (plain)", "-0.1248", -0.12483387, [](C n) { return n.plain.node("w3").grad; }},
      {"∂L/∂w1 (plain)", "-0.000076", -0.0000759748, [](C n) { return n.plain.node("w1").grad; }},
      {"y (residual)", "0.5256", 0.52561024, [](C n) { return n.residual.node("y").value; }},
      {"L (residual)", "0.2247", 0.22504564, [](C n) { return n.residual.loss(); }},
      {"∂L/∂y (residual)", "-0.9488", -0.94877951, [](C n) { return n.residual.node("y").grad; }},
      {"∂L/∂w3 (residual)", "", -0.12131670, [](C n) { return n.residual.node("w3").grad; }},
      {"∂L/∂w2 (residual)", "-0.0030", -0.00302908, [](C n) { return n.residual.node("w2").grad; }},
      {"∂L/∂w1 (residual), skip path", "-0.00295", -0.00295531,
       [](C n) { return path_product(n.residual, "w1", "h2", false); }},
      {"∂L/∂w1 (residual), through h2", "-0.000074", -0.0000738343,
       [](C n) { return path_product(n.residual, "w1", "h2", true); }},
      {"∂L/∂w1 (residual), total", "0.003024", -0.00302914, [](C n) { return n.residual.node("w1").grad; }},
  };
  return rows;
}

const Row& row(const std::string& quantity) {
  for (const Row& r : table())
    if (quantity == r.quantity) return r;
  throw std::out_of_range(quantity);
}

TEST(GradlabExampleC, EveryRowMatchesTheExactColumn) {
  for (const Row& r : table()) EXPECT_NEAR(r.computed(example_c()), r.exact, 1e-8) << r.quantity;
}

// Rows whose printed figure is the exact value rounded to the digits shown.
TEST(GradlabExampleC, RoundedRowsMatchTheDocumentToItsLastDigit) {
  for (const char* quantity :
       {"h1", "y (plain)", "∂L/∂y (plain)", "σ'(·) at output (plain)", "∂L/∂w3 (plain)", "∂L/∂w1 (plain)",
        "y (residual)", "∂L/∂y (residual)", "∂L/∂w2 (residual)", "∂L/∂w1 (residual), through h2"}) {
    const Row& r = row(quantity);
    const Printed doc = printed(r.document);
    EXPECT_LE(std::abs(r.computed(example_c()) - doc.value), doc.half_unit) << quantity;
  }
}

// The document prints ∂L/∂w3 (residual) as the product −0.9488·0.2493·0.5128: each factor.
TEST(GradlabExampleC, ResidualW3FactorsMatchTheDocument) {
  const ScalarGraph& residual = example_c().residual;
  const struct {
    const char* document;
    double computed;
  } factors[] = {
      {"-0.9488", residual.node("y").grad},
      {"0.2493", local(residual, "z3", "y")},
      {"0.5128", local(residual, "w3", "z3")},
  };
  for (const auto& f : factors) {
    const Printed doc = printed(f.document);
    EXPECT_LE(std::abs(f.computed - doc.value), doc.half_unit) << f.document;
  }
  EXPECT_DOUBLE_EQ(factors[0].computed * factors[1].computed * factors[2].computed, residual.node("w3").grad);
}

// Errata listed in LESSONS.md: both losses, and the sign of the total ∂L/∂w1.
TEST(GradlabExampleC, ExactValuesDifferFromTheDocumentedErrata) {
  for (const char* quantity : {"L (plain)", "L (residual)"}) {
    const Row& r = row(quantity);
    const Printed doc = printed(r.document);
    EXPECT_GT(std::abs(r.computed(example_c()) - doc.value), doc.half_unit) << quantity;
  }
  const Row& total = row("∂L/∂w1 (residual), total");
  EXPECT_LT(total.computed(example_c()), 0.0);
  EXPECT_GT(printed(total.document).value, 0.0);
}

// Two more figures are off in their last digit because the document multiplies and adds
// figures it has already rounded:
//   skip path  −0.9488 × 0.2493 × 0.1 × 0.2498 × 0.5 = −0.0029543 → "−0.00295"  (exact −0.0029553)
//   total      0.00295 + 0.000074 = 0.003024                                     (exact 0.0030291)
TEST(GradlabExampleC, DocumentRoundsBeforeMultiplyingOnTheSkipPath) {
  const Row& skip = row("∂L/∂w1 (residual), skip path");
  const Printed doc = printed(skip.document);
  const double from_rounded_factors = -0.9488 * 0.2493 * 0.1 * 0.2498 * 0.5;
  EXPECT_LE(std::abs(from_rounded_factors - doc.value), doc.half_unit);
  EXPECT_GT(std::abs(skip.computed(example_c()) - doc.value), doc.half_unit);
  EXPECT_LE(std::abs(skip.computed(example_c()) - doc.value), 2 * doc.half_unit);
}

TEST(GradlabExampleC, DocumentTotalIsTheSumOfItsRoundedPaths) {
  const Printed skip = printed(row("∂L/∂w1 (residual), skip path").document);
  const Printed through = printed(row("∂L/∂w1 (residual), through h2").document);
  const Printed total = printed(row("∂L/∂w1 (residual), total").document);
  EXPECT_NEAR(total.value, -(skip.value + through.value), 1e-15);
  const double exact_total = row("∂L/∂w1 (residual), total").computed(example_c());
  EXPECT_GT(std::abs(-exact_total - total.value), total.half_unit);
  EXPECT_LE(std::abs(-exact_total - total.value), skip.half_unit + through.half_unit);
}

TEST(GradlabExampleC, ChainRuleFactorsReadAsTheDocumentWritesThem) {
  const ScalarGraph& plain = example_c().plain;
  const ChainRule w1 = chain_rule(plain, plain.find("w1"));
  ASSERT_EQ(w1.paths.size(), 1u);
  EXPECT_EQ(factors_text(plain, w1.paths[0]), "−0.9744 × 0.2498 × 0.1 × 0.2498 × 0.1 × 0.2498 × 0.5");
  EXPECT_EQ(symbols_text(plain, w1.paths[0]), "∂L/∂y · ∂y/∂z3 · ∂z3/∂h2 · ∂h2/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂w1");

  const ScalarGraph& residual = example_c().residual;
  const ChainRule w2 = chain_rule(residual, residual.find("w2"));
  ASSERT_EQ(w2.paths.size(), 1u);
  EXPECT_EQ(factors_text(residual, w2.paths[0]), "−0.9488 × 0.2493 × 0.1 × 0.2498 × 0.5125");

  const ChainRule r1 = chain_rule(residual, residual.find("w1"));
  ASSERT_EQ(r1.paths.size(), 2u);
  EXPECT_EQ(route_text(residual, r1.paths[0]), "L ← y ← z3 ← h2 ← z2 ← h1 ← z1 ← w1");
  EXPECT_EQ(factors_text(residual, r1.paths[0]), "−0.9488 × 0.2493 × 0.1 × 0.2498 × 0.1 × 0.2498 × 0.5");
  EXPECT_EQ(route_text(residual, r1.paths[1]), "L ← y ← z3 ← h1 ← z1 ← w1");
  EXPECT_EQ(factors_text(residual, r1.paths[1]), "−0.9488 × 0.2493 × 0.1 × 0.2498 × 0.5");
}

TEST(GradlabExampleC, SkipMakesTheFirstWeightGradientAboutFortyTimesLarger) {
  const double growth = example_c().residual.node("w1").grad / example_c().plain.node("w1").grad;
  EXPECT_GT(growth, 39.0);
  EXPECT_LT(growth, 41.0);
}

}  // namespace
}  // namespace attnviz::gradlab

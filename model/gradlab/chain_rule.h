#pragma once
// ∂L/∂v of a scalar-chain node written out the two ways the chain rule reads.
//
//   one step back:  ∂L/∂v = Σ_{edges v→u} ∂L/∂u · ∂u/∂v               (grad_terms)
//   all the way:    ∂L/∂v = Σ_{paths L←…←v} Π_{edges on the path} local  (chain_rule)
//
// Example C, plain, v = w1 (one path):
//   ∂L/∂w1 = ∂L/∂y · ∂y/∂z3 · ∂z3/∂h2 · ∂h2/∂z2 · ∂z2/∂h1 · ∂h1/∂z1 · ∂z1/∂w1
//          = −0.9744 × 0.2498 × 0.1 × 0.2498 × 0.1 × 0.2498 × 0.5
// With the weighted skip there is a second path, L ← y ← z3 ← h1 ← z1 ← w1, and ∂L/∂w1 is the
// sum of the two products.

#include "model/gradlab/scalar_chain.h"

#include <string>
#include <vector>

namespace attnviz::gradlab {

// One term of ∂L/∂v: the gradient arriving from one result u of v.
struct GradTerm {
  int edge = -1;        // index into graph.edges, from = v, to = u
  double upstream = 0;  // ∂L/∂u
  double local = 0;     // ∂u/∂v
  double product = 0;   // upstream · local
};
// The terms sum to graph.nodes[node].grad.  L itself has none (∂L/∂L = 1).
std::vector<GradTerm> grad_terms(const ScalarGraph& graph, int node);

// One route from L down to v.
struct ChainPath {
  std::vector<int> nodes;  // L first, v last
  std::vector<int> edges;  // edges[i] joins nodes[i+1] (operand) → nodes[i] (result)
  double product = 1;      // Π local over edges: this route's share of ∂L/∂v
};

struct ChainRule {
  int node = -1;
  std::vector<ChainPath> paths;  // every route from L to node, in the order the edges were made
  double sum = 0;                // Σ path products: equals graph.nodes[node].grad
};
ChainRule chain_rule(const ScalarGraph& graph, int node);

// "−0.9744 × 0.2498 × 0.1 × …": the path's local derivatives, L end first, `digits` significant.
std::string factors_text(const ScalarGraph& graph, const ChainPath& path, int digits = 4);
// "∂L/∂y · ∂y/∂z3 · ∂z3/∂h2 · …"
std::string symbols_text(const ScalarGraph& graph, const ChainPath& path);
// "L ← y ← z3 ← h1 ← z1 ← w1"
std::string route_text(const ScalarGraph& graph, const ChainPath& path);
// A number as the factors are written: `digits` significant, with a Unicode minus sign.
std::string format_number(double value, int digits = 4);

}  // namespace attnviz::gradlab

#pragma once
// The scalar chain of LESSONS.md example C as a computation graph of named values: every node
// keeps its value and ∂L/∂node, every edge its local derivative, so a view can draw the graph
// and replay the backward pass one node at a time.
//
//   plain     z_k = w_k·h_{k−1},  h_k = f(z_k)              k = 1…n,  h_0 = x,  y = h_n
//   weighted  as plain, except z_n = w_n·h_{n−1} + w_r·h_{n−2}   (a weighted skip into y)
//   identity  h_k = f(z_k) + h_{k−1} on every layer             (the ResNet block)
//   loss      L = (y_true − y)²
//
// Example C is n = 3, x = 0.5, w = (0.1, 0.1, 0.1), w_r = 0.1, y_true = 1, f = σ: the defaults.

#include "model/gradlab/activation.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnviz::gradlab {

inline constexpr int min_scalar_depth = 3;
inline constexpr int max_scalar_depth = 10;

enum class Skip : std::uint8_t { none, weighted, identity };
const char* to_string(Skip skip);        // "none", "weighted", "identity"
Skip parse_skip(std::string_view text);  // throws InputError for anything else

struct ScalarChainInput {
  double x = 0.5;
  std::vector<double> w = {0.1, 0.1, 0.1};  // w1…wn; the depth n is w.size(), 3…10
  double skip_weight = 0.1;                 // w_r, used by Skip::weighted only
  double target = 1.0;                      // y_true
  Activation activation = Activation::sigmoid;

  int depth() const { return static_cast<int>(w.size()); }
};

// Throws InputError naming the first bad field and its value (depth outside 3…10, a value that
// is not finite).
void validate(const ScalarChainInput& input);

enum class NodeKind : std::uint8_t {
  input,       // x
  weight,      // w_k, wr
  product,     // z_k = w_k·h_{k−1}  (z_n = w_n·h_{n−1} + w_r·h_{n−2} with a weighted skip)
  activation,  // h_k = f(z_k)  (+ h_{k−1} with identity skips); the last one is y
  loss,        // L = (y_true − y)²
};

struct Node {
  std::string name;  // "x", "w1", "z1", "h1", …, "wr", "y", "L"
  NodeKind kind = NodeKind::input;
  int layer = 0;        // 0 for x; k for w_k, z_k, h_k; n for wr and y; n + 1 for L
  std::string formula;  // "z2 = w2·h1", "h2 = σ(z2)", "L = (y_true − y)²"
  double value = 0;
  double grad = 0;  // ∂L/∂node
};

// An operand feeding a result.  Backward:  ∂L/∂from += ∂L/∂to · local.
struct Edge {
  int from = -1;        // operand: the node nearer x
  int to = -1;          // result: the node nearer L
  double local = 0;     // ∂to/∂from at the forward values
  std::string symbol;   // "∂z2/∂h1"
  std::string formula;  // what the local derivative equals: "w2", "σ'(z2)", "1", "−2(y_true − y)"
};

struct ScalarGraph {
  Skip skip = Skip::none;
  Activation activation = Activation::sigmoid;
  double target = 1;
  int depth = 3;
  std::vector<Node> nodes;          // forward order: every node after its operands; L is last
  std::vector<Edge> edges;          // in the order the forward pass made them
  std::vector<int> backward_order;  // node indices, L first: a node's grad is final once every
                                    // node it feeds has come before it

  int find(std::string_view name) const;          // node index, −1 when absent
  const Node& node(std::string_view name) const;  // throws std::out_of_range when absent
  int loss_index() const { return static_cast<int>(nodes.size()) - 1; }
  double loss() const { return nodes.back().value; }
  std::vector<int> weight_indices() const;  // w1…wn, then wr if present
};

// Forward (values and local derivatives) then backward (grads), on validated input.
ScalarGraph run_scalar_chain(const ScalarChainInput& input, Skip skip);

// The plain chain and one residual kind (weighted or identity) from the same input.
struct ScalarComparison {
  ScalarGraph plain, residual;
};
ScalarComparison compare_scalar_chains(const ScalarChainInput& input, Skip residual_kind);

}  // namespace attnviz::gradlab

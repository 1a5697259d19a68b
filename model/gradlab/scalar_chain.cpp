#include "model/gradlab/scalar_chain.h"

#include "model/error.h"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace attnviz::gradlab {

const char* to_string(Skip skip) {
  switch (skip) {
    case Skip::none: return "none";
    case Skip::weighted: return "weighted";
    case Skip::identity: return "identity";
  }
  return "?";
}

Skip parse_skip(std::string_view text) {
  for (Skip skip : {Skip::none, Skip::weighted, Skip::identity})
    if (text == to_string(skip)) return skip;
  throw InputError("skip '" + std::string(text) + "' is not one of none, weighted, identity");
}

namespace {

// `field` alone, or `field` followed by `index` when index > 0 ("w2").
void require_finite(std::string_view field, double value, int index = 0) {
  if (std::isfinite(value)) return;
  std::ostringstream message;
  message << field;
  if (index > 0) message << index;
  message << " = " << value << " is not a finite number";
  throw InputError(message.str());
}

// Appends nodes and edges in forward order.
class GraphBuilder {
 public:
  explicit GraphBuilder(ScalarGraph& graph) : graph_(graph) {}

  int node(std::string name, NodeKind kind, int layer, std::string formula, double value) {
    graph_.nodes.push_back({std::move(name), kind, layer, std::move(formula), value, 0.0});
    return static_cast<int>(graph_.nodes.size()) - 1;
  }

  void edge(int from, int to, double local, std::string formula) {
    std::string symbol = "∂" + graph_.nodes[to].name + "/∂" + graph_.nodes[from].name;
    graph_.edges.push_back({from, to, local, std::move(symbol), std::move(formula)});
  }

  const std::string& name(int index) const { return graph_.nodes[index].name; }
  double value(int index) const { return graph_.nodes[index].value; }

 private:
  ScalarGraph& graph_;
};

void forward(ScalarGraph& graph, const ScalarChainInput& input) {
  GraphBuilder build(graph);
  const Activation f = graph.activation;
  const std::string f_name = symbol(f);
  const int n = graph.depth;

  int h_prev = build.node("x", NodeKind::input, 0, "x", input.x);  // h_0
  int h_prev2 = -1;                                                // h_{k−2}
  for (int k = 1; k <= n; ++k) {
    const std::string layer = std::to_string(k);
    const bool last = k == n;

    const int w = build.node("w" + layer, NodeKind::weight, k, "w" + layer, input.w[k - 1]);
    const int wr =
        (last && graph.skip == Skip::weighted) ? build.node("wr", NodeKind::weight, k, "wr", input.skip_weight) : -1;

    // z_k = w_k·h_{k−1}   (+ w_r·h_{k−2} on the weighted skip)
    std::string z_formula = "z" + layer + " = " + build.name(w) + "·" + build.name(h_prev);
    double z_value = build.value(w) * build.value(h_prev);
    if (wr >= 0) {
      z_formula += " + wr·" + build.name(h_prev2);
      z_value += build.value(wr) * build.value(h_prev2);
    }
    const int z = build.node("z" + layer, NodeKind::product, k, z_formula, z_value);
    build.edge(w, z, build.value(h_prev), build.name(h_prev));  // ∂z/∂w_k = h_{k−1}
    build.edge(h_prev, z, build.value(w), build.name(w));       // ∂z/∂h_{k−1} = w_k
    if (wr >= 0) {
      build.edge(wr, z, build.value(h_prev2), build.name(h_prev2));  // ∂z/∂w_r = h_{k−2}
      build.edge(h_prev2, z, build.value(wr), "wr");                 // ∂z/∂h_{k−2} = w_r
    }

    // h_k = f(z_k)   (+ h_{k−1} on the identity skip)
    const std::string h_name = last ? "y" : "h" + layer;
    const std::string f_of_z = f_name + "(z" + layer + ")";
    std::string h_formula = h_name + " = " + f_of_z;
    double h_value = activate(f, z_value);
    if (graph.skip == Skip::identity) {
      h_formula += " + " + build.name(h_prev);
      h_value += build.value(h_prev);
    }
    const int h = build.node(h_name, NodeKind::activation, k, h_formula, h_value);
    build.edge(z, h, activate_derivative(f, z_value), f_name + "'(z" + layer + ")");
    if (graph.skip == Skip::identity) build.edge(h_prev, h, 1.0, "1");  // ∂h_k/∂h_{k−1} = 1

    h_prev2 = h_prev;
    h_prev = h;
  }

  // L = (y_true − y)²        ∂L/∂y = −2(y_true − y)
  const double residual = graph.target - build.value(h_prev);
  const int loss = build.node("L", NodeKind::loss, n + 1, "L = (y_true − y)²", residual * residual);
  build.edge(h_prev, loss, -2.0 * residual, "−2(y_true − y)");
}

// ∂L/∂L = 1; then, L first, each node sums ∂L/∂to · ∂to/∂node over the edges leaving it.
void backward(ScalarGraph& graph) {
  const int count = static_cast<int>(graph.nodes.size());
  graph.backward_order.clear();
  for (int i = count - 1; i >= 0; --i) graph.backward_order.push_back(i);

  for (Node& node : graph.nodes) node.grad = 0;
  graph.nodes[graph.loss_index()].grad = 1.0;
  for (int i : graph.backward_order)
    for (const Edge& e : graph.edges)
      if (e.from == i) graph.nodes[i].grad += graph.nodes[e.to].grad * e.local;
}

}  // namespace

void validate(const ScalarChainInput& input) {
  const int n = input.depth();
  if (n < min_scalar_depth || n > max_scalar_depth)
    throw InputError("depth = " + std::to_string(n) + " (the number of weights w) is outside " +
                     std::to_string(min_scalar_depth) + "…" + std::to_string(max_scalar_depth));
  require_finite("x", input.x);
  for (int k = 0; k < n; ++k) require_finite("w", input.w[k], k + 1);
  require_finite("skip weight", input.skip_weight);
  require_finite("target", input.target);
}

int ScalarGraph::find(std::string_view name) const {
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].name == name) return static_cast<int>(i);
  return -1;
}

const Node& ScalarGraph::node(std::string_view name) const {
  const int index = find(name);
  if (index < 0) throw std::out_of_range("no node named " + std::string(name));
  return nodes[index];
}

std::vector<int> ScalarGraph::weight_indices() const {
  std::vector<int> weights;
  for (std::size_t i = 0; i < nodes.size(); ++i)
    if (nodes[i].kind == NodeKind::weight && nodes[i].name != "wr") weights.push_back(static_cast<int>(i));
  const int wr = find("wr");
  if (wr >= 0) weights.push_back(wr);
  return weights;
}

ScalarGraph run_scalar_chain(const ScalarChainInput& input, Skip skip) {
  validate(input);
  ScalarGraph graph;
  graph.skip = skip;
  graph.activation = input.activation;
  graph.target = input.target;
  graph.depth = input.depth();
  forward(graph, input);
  backward(graph);
  return graph;
}

ScalarComparison compare_scalar_chains(const ScalarChainInput& input, Skip residual_kind) {
  if (residual_kind == Skip::none) throw InputError("residual kind 'none' is not a residual: use weighted or identity");
  return {run_scalar_chain(input, Skip::none), run_scalar_chain(input, residual_kind)};
}

}  // namespace attnviz::gradlab

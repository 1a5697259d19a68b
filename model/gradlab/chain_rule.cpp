#include "model/gradlab/chain_rule.h"

#include <cstdio>
#include <stdexcept>

namespace attnviz::gradlab {

namespace {

void check_node(const ScalarGraph& graph, int node) {
  if (node < 0 || node >= static_cast<int>(graph.nodes.size()))
    throw std::out_of_range("node index " + std::to_string(node) + " is not in the graph");
}

// Depth-first from v towards L.  `route` holds the edges taken so far, v end first.
void collect_paths(const ScalarGraph& graph, int at, std::vector<int>& route, std::vector<ChainPath>& paths) {
  if (at == graph.loss_index()) {
    ChainPath path;
    path.nodes.push_back(at);
    for (auto e = route.rbegin(); e != route.rend(); ++e) {
      path.edges.push_back(*e);
      path.nodes.push_back(graph.edges[*e].from);
      path.product *= graph.edges[*e].local;
    }
    paths.push_back(std::move(path));
    return;
  }
  for (int e = 0; e < static_cast<int>(graph.edges.size()); ++e) {
    if (graph.edges[e].from != at) continue;
    route.push_back(e);
    collect_paths(graph, graph.edges[e].to, route, paths);
    route.pop_back();
  }
}

}  // namespace

std::vector<GradTerm> grad_terms(const ScalarGraph& graph, int node) {
  check_node(graph, node);
  std::vector<GradTerm> terms;
  for (int e = 0; e < static_cast<int>(graph.edges.size()); ++e) {
    const Edge& edge = graph.edges[e];
    if (edge.from != node) continue;
    const double upstream = graph.nodes[edge.to].grad;
    terms.push_back({e, upstream, edge.local, upstream * edge.local});
  }
  return terms;
}

ChainRule chain_rule(const ScalarGraph& graph, int node) {
  check_node(graph, node);
  ChainRule rule;
  rule.node = node;
  std::vector<int> route;
  collect_paths(graph, node, route, rule.paths);
  for (const ChainPath& path : rule.paths) rule.sum += path.product;
  return rule;
}

std::string format_number(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  std::string result = text;
  if (!result.empty() && result[0] == '-') result.replace(0, 1, "−");
  return result;
}

std::string factors_text(const ScalarGraph& graph, const ChainPath& path, int digits) {
  std::string text;
  for (int e : path.edges) {
    if (!text.empty()) text += " × ";
    text += format_number(graph.edges[e].local, digits);
  }
  return text;
}

std::string symbols_text(const ScalarGraph& graph, const ChainPath& path) {
  std::string text;
  for (int e : path.edges) {
    if (!text.empty()) text += " · ";
    text += graph.edges[e].symbol;
  }
  return text;
}

std::string route_text(const ScalarGraph& graph, const ChainPath& path) {
  std::string text;
  for (int n : path.nodes) {
    if (!text.empty()) text += " ← ";
    text += graph.nodes[n].name;
  }
  return text;
}

}  // namespace attnviz::gradlab

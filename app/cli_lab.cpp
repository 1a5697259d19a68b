// attnviz lab scalar …   the scalar chain of LESSONS.md example C, plain beside residual
// attnviz lab depth …    ‖∂L/∂h_l‖ layer by layer, plain beside residual (example D)

#include "app/commands.h"
#include "model/error.h"
#include "model/gradlab/chain_rule.h"
#include "model/gradlab/depth_network.h"
#include "model/gradlab/scalar_chain.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace attnviz::app {
namespace {

using namespace attnviz::gradlab;
using Json = nlohmann::ordered_json;

// `text` padded with spaces to `width` characters (UTF-8 aware: σ, ·, − count as one).
std::string pad(const std::string& text, int width, bool right_align = false) {
  int characters = 0;
  for (unsigned char byte : text) characters += (byte & 0xC0) != 0x80;
  const std::string fill(static_cast<std::size_t>(std::max(0, width - characters)), ' ');
  return right_align ? fill + text : text + fill;
}

std::string number(double value, const char* format = "%.10g") {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

[[noreturn]] void fail(const char* command, const std::string& message) {
  std::cerr << "attnviz lab " << command << ": " << message << "\n";
  throw CLI::RuntimeError(2);
}

// `parse(value)`, or the option, its value and the reason on stderr and exit status 2.
template <class Parse>
auto parse_option(const char* command, const char* option, const std::string& value, Parse parse) {
  try {
    return parse(value);
  } catch (const InputError& e) {
    fail(command, std::string(option) + " " + value + ": " + e.what());
  }
}

// ---- lab scalar -------------------------------------------------------------------------

struct ScalarOptions {
  double x = 0.5;
  std::vector<double> w;  // empty: depth × 0.1
  int depth = 0;          // 0: w.size(), or 3 without --w
  double skip_weight = 0.1;
  std::string skip = "weighted";  // the residual kind: weighted | identity
  double target = 1.0;
  std::string activation = "sigmoid";
  bool json = false;
};

struct ScalarRequest {
  ScalarChainInput input;
  Skip residual_kind = Skip::weighted;
};

ScalarRequest scalar_request(const ScalarOptions& o, const CLI::App& command) {
  const char* name = "scalar";
  ScalarRequest request;
  request.input.activation = parse_option(name, "--activation", o.activation, parse_activation);
  request.residual_kind = parse_option(name, "--skip", o.skip, parse_skip);
  if (request.residual_kind == Skip::none)
    fail(name, "--skip none: the plain chain is always shown; choose weighted or identity");
  if (request.residual_kind == Skip::identity && command.count("--skip-weight") > 0)
    fail(name,
         "--skip-weight " + number(o.skip_weight, "%g") + ": the identity skip has no weight (use --skip weighted)");

  request.input.x = o.x;
  request.input.skip_weight = o.skip_weight;
  request.input.target = o.target;
  if (!o.w.empty()) {
    if (o.depth != 0 && o.depth != static_cast<int>(o.w.size()))
      fail(name, "--w has " + std::to_string(o.w.size()) + " values but --depth is " + std::to_string(o.depth) +
                     ": give one weight per layer");
    request.input.w = o.w;
  } else {
    request.input.w.assign(o.depth != 0 ? o.depth : min_scalar_depth, 0.1);
  }
  try {
    validate(request.input);
  } catch (const InputError& e) {
    fail(name, e.what());
  }
  return request;
}

Json chain_json(const ScalarGraph& graph, int node) {
  const ChainRule rule = chain_rule(graph, node);
  Json paths = Json::array();
  for (const ChainPath& path : rule.paths) {
    Json factors = Json::array();
    for (int e : path.edges) factors.push_back(graph.edges[e].local);
    paths.push_back({{"route", route_text(graph, path)},
                     {"symbols", symbols_text(graph, path)},
                     {"factors", factors},
                     {"product", path.product}});
  }
  return {{"node", graph.nodes[node].name}, {"paths", paths}, {"sum", rule.sum}};
}

Json graph_json(const ScalarGraph& graph) {
  Json nodes = Json::array();
  for (const Node& n : graph.nodes)
    nodes.push_back({{"name", n.name}, {"formula", n.formula}, {"value", n.value}, {"grad", n.grad}});
  return {{"skip", to_string(graph.skip)},
          {"loss", graph.loss()},
          {"nodes", nodes},
          {"chain_rule", chain_json(graph, graph.find("w1"))}};
}

void print_graph(const char* title, const ScalarGraph& graph) {
  std::printf("%s   L = %.10g\n", title, graph.loss());
  auto row = [](const std::string& name, const std::string& formula, const std::string& value,
                const std::string& grad) {
    std::printf("  %s  %s  %s  %s\n", pad(name, 4).c_str(), pad(formula, 22).c_str(), pad(value, 17, true).c_str(),
                pad(grad, 17, true).c_str());
  };
  row("node", "formula", "value", "∂L/∂node");
  for (const Node& n : graph.nodes) row(n.name, n.formula, number(n.value), number(n.grad));
  const ChainRule rule = chain_rule(graph, graph.find("w1"));
  std::printf("  ∂L/∂w1, one product per path from L to w1:\n");
  for (const ChainPath& path : rule.paths)
    std::printf("    %s\n      = %s = %s\n", route_text(graph, path).c_str(), factors_text(graph, path).c_str(),
                format_number(path.product, 6).c_str());
  std::printf("    sum = %s\n\n", format_number(rule.sum, 10).c_str());
}

void run_scalar(const ScalarOptions& options, const CLI::App& command) {
  const ScalarRequest request = scalar_request(options, command);
  const ScalarComparison result = compare_scalar_chains(request.input, request.residual_kind);
  if (options.json) {
    const ScalarChainInput& in = request.input;
    Json input = {{"x", in.x},
                  {"w", in.w},
                  {"skip", to_string(request.residual_kind)},
                  {"skip_weight", in.skip_weight},
                  {"target", in.target},
                  {"activation", to_string(in.activation)},
                  {"depth", in.depth()}};
    if (request.residual_kind != Skip::weighted) input.erase("skip_weight");
    const Json out = {{"input", input}, {"plain", graph_json(result.plain)}, {"residual", graph_json(result.residual)}};
    std::cout << out.dump(2) << "\n";
    return;
  }
  print_graph("plain", result.plain);
  const std::string title = std::string("residual (") + to_string(request.residual_kind) + " skip)";
  print_graph(title.c_str(), result.residual);
  std::printf("∂L/∂w1 residual / plain = %.6g\n", result.residual.node("w1").grad / result.plain.node("w1").grad);
}

void add_scalar(CLI::App& lab) {
  auto options = std::make_shared<ScalarOptions>();
  CLI::App* cmd =
      lab.add_subcommand("scalar", "The scalar chain x → w1 → … → y → L, plain and with a skip (LESSONS.md example C)");
  cmd->add_option("--x", options->x, "Input x")->capture_default_str();
  cmd->add_option("--w", options->w, "Weights w1,…,wn, one per layer (default 0.1 each)")->delimiter(',');
  cmd->add_option("--depth", options->depth, "Layers n, 3…10 (default: the number of --w, or 3)");
  cmd->add_option("--skip-weight", options->skip_weight, "w_r of the weighted skip h_{n−2} → y")->capture_default_str();
  cmd->add_option("--skip", options->skip,
                  "Residual kind: weighted (y = f(w_n·h_{n−1} + w_r·h_{n−2})) or identity "
                  "(h_k = f(w_k·h_{k−1}) + h_{k−1})")
      ->capture_default_str();
  cmd->add_option("--target", options->target, "y_true")->capture_default_str();
  cmd->add_option("--activation", options->activation, "sigmoid | tanh | relu")->capture_default_str();
  cmd->add_flag("--json", options->json, "Print JSON instead of a table");
  cmd->callback([options, cmd] { run_scalar(*options, *cmd); });
}

// ---- lab depth --------------------------------------------------------------------------

struct DepthOptions {
  DepthConfig config;
  std::string activation = "sigmoid";
  std::string seed = "1";
  bool json = false;
};

Json network_json(const DepthNetwork& net) {
  Json grad_W = Json::array(), jacobian = Json::array();
  for (const DepthLayer& layer : net.layers) {
    grad_W.push_back(layer.grad_W_norm);
    jacobian.push_back(layer.jacobian_norm);
  }
  return {{"loss", net.loss},
          {"grad_h_norm", net.grad_norm_curve()},
          {"grad_h_bound", net.bound_curve()},
          {"grad_W_norm", grad_W},
          {"jacobian_norm", jacobian}};
}

void print_depth(const DepthComparison& result) {
  const DepthConfig& c = result.config;
  std::printf("depth %d, width %d, %s, scale %g, seed %llu;  L = gᵀh_L with ‖g‖ = 1\n\n", c.depth, c.width,
              to_string(c.activation), c.scale, static_cast<unsigned long long>(c.seed));
  std::printf("%5s  %s  %s  %s  %s\n", "l", pad("‖∂L/∂h_l‖ plain", 15, true).c_str(), pad("residual", 14, true).c_str(),
              pad("‖J_l‖₂ plain", 12, true).c_str(), pad("residual", 12, true).c_str());
  const std::vector<double> plain = result.plain.grad_norm_curve();
  const std::vector<double> residual = result.residual.grad_norm_curve();
  for (int l = 0; l <= c.depth; ++l) {
    std::printf("%5d  %15.6e  %14.6e", l, plain[l], residual[l]);
    if (l > 0)
      std::printf("  %12.6f  %12.6f", result.plain.layers[l - 1].jacobian_norm,
                  result.residual.layers[l - 1].jacobian_norm);
    std::printf("\n");
  }
  std::printf("\nfirst layer: ‖∂L/∂W_1‖ residual / plain = %.6g\n", result.first_layer_ratio);
}

std::uint64_t parse_seed(const std::string& text) {
  std::uint64_t seed = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seed);
  if (error != std::errc{} || end != text.data() + text.size())
    throw InputError("seed '" + text + "' is not a whole number in 0…18446744073709551615");
  return seed;
}

void run_depth(DepthOptions options) {
  options.config.activation = parse_option("depth", "--activation", options.activation, parse_activation);
  options.config.seed = parse_option("depth", "--seed", options.seed, parse_seed);
  try {
    validate(options.config);
  } catch (const InputError& e) {
    fail("depth", e.what());
  }
  const DepthComparison result = compare_depth_networks(options.config);
  if (!options.json) {
    print_depth(result);
    return;
  }
  const DepthConfig& c = result.config;
  const Json out = {{"config",
                     {{"depth", c.depth},
                      {"width", c.width},
                      {"activation", to_string(c.activation)},
                      {"scale", c.scale},
                      {"seed", c.seed}}},
                    {"definitions",
                     {{"loss", "L = gᵀh_L, g a fixed unit vector: ∂L/∂h_L = g in both networks"},
                      {"grad_h_norm", "‖∂L/∂h_l‖₂ for l = 0…L (l = 0 is the input)"},
                      {"grad_h_bound", "Π_{k=l+1…L} ‖J_k‖₂ for l = 0…L"},
                      {"grad_W_norm", "‖∂L/∂W_l‖_F for l = 1…L"},
                      {"jacobian_norm", "‖J_l‖₂ = ‖∂h_l/∂h_{l−1}‖ spectral, for l = 1…L"},
                      {"first_layer_ratio", "‖∂L/∂W_1‖_F residual / plain"}}},
                    {"plain", network_json(result.plain)},
                    {"residual", network_json(result.residual)},
                    {"first_layer_ratio", result.first_layer_ratio}};
  std::cout << out.dump(2) << "\n";
}

void add_depth(CLI::App& lab) {
  auto options = std::make_shared<DepthOptions>();
  DepthConfig& config = options->config;
  CLI::App* cmd =
      lab.add_subcommand("depth", "Gradient norms layer by layer in a deep plain and residual network (example D)");
  cmd->add_option("--depth", config.depth, "Layers L, 1…64")->capture_default_str();
  cmd->add_option("--width", config.width, "Units per layer, 1…64")->capture_default_str();
  cmd->add_option("--activation", options->activation, "sigmoid | tanh | relu")->capture_default_str();
  cmd->add_option("--scale", config.scale, "Weights ~ U(±scale·√(3/width)), scale in (0, 10]")->capture_default_str();
  cmd->add_option("--seed", options->seed, "Seed of the weights, the input and the read-out")->capture_default_str();
  cmd->add_flag("--json", options->json, "Print JSON instead of a table");
  cmd->callback([options] { run_depth(*options); });
}

}  // namespace

void add_lab_command(CLI::App& app) {
  CLI::App* lab = app.add_subcommand("lab", "Gradient lab: plain versus residual networks")->require_subcommand(1);
  add_scalar(*lab);
  add_depth(*lab);
  add_lab_transformer_command(*lab);
  add_lab_seq2seq_command(*lab);
}

}  // namespace attnviz::app

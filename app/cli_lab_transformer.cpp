// attnviz lab transformer …   ‖∂L/∂x‖ at every sublayer's input and ‖∂L/∂W‖ of every parameter
// group, for residual on/off × post-norm/pre-norm built from the same weights.

#include "app/commands.h"
#include "app/session_options.h"
#include "model/gradlab/transformer_flow.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace attnviz::app {
namespace {

using namespace attnviz::gradlab;
using Json = nlohmann::ordered_json;

struct TransformerLabOptions {
  SessionOptions session;
  int layers = 0;  // 0: the session's; otherwise encoder_layers = decoder_layers = layers
  bool json = false;
};

std::string variant_name(const FlowVariant& v) {
  return std::string(v.residual ? "residual" : "plain") + ", " + to_string(v.norm) + "-norm";
}

Json flow_json(const FlowVariant& v) {
  Json sublayers = Json::array(), groups = Json::array();
  for (const SublayerGradient& s : v.flow.sublayers)
    sublayers.push_back({{"label", s.label},
                         {"stack", to_string(s.where.stack)},
                         {"layer", s.where.layer},
                         {"sublayer", to_string(s.where.sublayer)},
                         {"forward_step", s.forward_step},
                         {"backward_step", s.backward_step},
                         {"input_grad_norm", s.input_grad_norm}});
  for (const ParameterGroupGradient& g : v.flow.groups)
    groups.push_back({{"group", g.group}, {"grad_norm", g.grad_norm}});
  return {{"residual", v.residual},
          {"norm", to_string(v.norm)},
          {"loss", v.flow.loss},
          {"sublayers", sublayers},
          {"groups", groups}};
}

void print_table(const std::vector<FlowVariant>& variants) {
  std::printf("‖∂L/∂x‖ at the input of each sublayer\n%-22s", "sublayer");
  for (const FlowVariant& v : variants) std::printf("  %20s", variant_name(v).c_str());
  std::printf("\n");
  const std::size_t rows = variants.front().flow.sublayers.size();
  for (std::size_t i = 0; i < rows; ++i) {
    std::printf("%-22s", variants.front().flow.sublayers[i].label.c_str());
    for (const FlowVariant& v : variants) std::printf("  %20.6e", v.flow.sublayers[i].input_grad_norm);
    std::printf("\n");
  }
  std::printf("\n‖∂L/∂W‖ of each parameter group\n%-30s", "group");
  for (const FlowVariant& v : variants) std::printf("  %20s", variant_name(v).c_str());
  std::printf("\n");
  // Pre-norm has two more groups (encoder.norm, decoder.norm): list every group of any variant.
  std::vector<std::string> names;
  for (const FlowVariant& v : variants)
    for (const ParameterGroupGradient& g : v.flow.groups)
      if (std::find(names.begin(), names.end(), g.group) == names.end()) names.push_back(g.group);
  for (const std::string& name : names) {
    std::printf("%-30s", name.c_str());
    for (const FlowVariant& v : variants) {
      const auto it = std::find_if(v.flow.groups.begin(), v.flow.groups.end(),
                                   [&](const ParameterGroupGradient& g) { return g.group == name; });
      if (it == v.flow.groups.end())
        std::printf("  %20s", "—");
      else
        std::printf("  %20.6e", it->grad_norm);
    }
    std::printf("\n");
  }
  std::printf("\nloss");
  for (const FlowVariant& v : variants) std::printf("  %s %.6f", variant_name(v).c_str(), v.flow.loss);
  std::printf("\n");
}

void run(const TransformerLabOptions& o) {
  run_command([&] {
    const Session session = make_session(o.session);
    // The session's own weights; deeper settings have no trained weights and start from the seed.
    Config config = session.config();
    const Parameters* weights = &session.model().params();
    if (o.layers != 0 && (o.layers != config.encoder_layers || o.layers != config.decoder_layers)) {
      config.encoder_layers = config.decoder_layers = o.layers;
      weights = nullptr;
    }
    const std::vector<FlowVariant> variants =
        gradient_flow_variants(config, session.example(), session.seed(), weights);
    if (!o.json) {
      std::printf("%s, %d + %d layers, %s\n\n", session.preset().name.c_str(), config.encoder_layers,
                  config.decoder_layers, weights ? "the session's weights" : "initial weights from the seed");
      print_table(variants);
      return;
    }
    Json out = {{"preset", session.preset().name},
                {"encoder_layers", config.encoder_layers},
                {"decoder_layers", config.decoder_layers},
                {"weights", weights ? "session" : "seed"},
                {"seed", session.seed()},
                {"variants", Json::array()}};
    for (const FlowVariant& v : variants) out["variants"].push_back(flow_json(v));
    std::cout << out.dump(2) << "\n";
  });
}

}  // namespace

void add_lab_transformer_command(CLI::App& lab) {
  auto options = std::make_shared<TransformerLabOptions>();
  CLI::App* cmd =
      lab.add_subcommand("transformer", "Gradient norms per sublayer: residual on/off × post/pre-norm, same weights");
  add_session_options(*cmd, options->session);
  cmd->add_option("--layers", options->layers, "Encoder and decoder layers (e.g. 6 or 12)")->check(CLI::Range(1, 24));
  cmd->add_flag("--json", options->json, "Print JSON instead of a table");
  cmd->callback([options] { run(*options); });
}

}  // namespace attnviz::app

// attnviz pe --max-len N --d-model D [--base B] [--layout interleaved|concatenated]
//           [--similarity] [--json]
//   the sinusoidal positional encoding, each column's wavelength, and PE·PEᵀ

#include "app/commands.h"
#include "app/session_options.h"
#include "model/analysis/positional.h"
#include "model/error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

namespace attnviz::app {

namespace {

using Json = nlohmann::ordered_json;
using namespace attnviz::analysis;

struct PeOptions {
  EncodingRequest request;
  std::string layout = "interleaved";
  bool similarity = false;
  bool json = false;
};

Positional parse_layout(const std::string& text) {
  if (text == "interleaved") return Positional::interleaved;
  if (text == "concatenated") return Positional::concatenated;
  throw InputError("--layout " + text + ": must be interleaved or concatenated");
}

Json rows_json(const Mat& m) {
  Json rows = Json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    Json row = Json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

void print_rows(const char* title, const Mat& m) {
  std::printf("%s (%ld × %ld)\n", title, static_cast<long>(m.rows()), static_cast<long>(m.cols()));
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    std::printf("%4ld ", static_cast<long>(r));
    for (Eigen::Index c = 0; c < m.cols(); ++c) std::printf(" %8.4f", m(r, c));
    std::printf("\n");
  }
}

}  // namespace

void add_pe_command(CLI::App& cli) {
  auto options = std::make_shared<PeOptions>();
  CLI::App* cmd = cli.add_subcommand("pe", "The sinusoidal positional encoding, its wavelengths and PE·PEᵀ");
  cmd->add_option("--max-len", options->request.max_len, "Positions (1 … 512)")->capture_default_str();
  cmd->add_option("--d-model", options->request.d_model, "Dimensions (even, 2 … 512)")->capture_default_str();
  cmd->add_option("--base", options->request.base, "ωᵢ = base^(−2i/d)")->capture_default_str();
  cmd->add_option("--layout", options->layout, "interleaved (the paper) or concatenated (sines, then cosines)")
      ->capture_default_str();
  cmd->add_flag("--similarity", options->similarity, "Also the similarity matrix PE·PEᵀ");
  cmd->add_flag("--json", options->json, "Print as JSON");
  cmd->callback([options] {
    run_command([&] {
      EncodingRequest r = options->request;
      r.layout = parse_layout(options->layout);
      const Mat PE = encoding_matrix(r);
      Json wavelengths = Json::array();
      for (int c = 0; c < r.d_model; ++c) wavelengths.push_back(wavelength(r, c));
      if (options->json) {
        Json j = {{"max_len", r.max_len},          {"d_model", r.d_model},       {"base", r.base},
                  {"layout", to_string(r.layout)}, {"wavelengths", wavelengths}, {"pe", rows_json(PE)}};
        if (options->similarity) j["similarity"] = rows_json(similarity(PE));
        std::cout << j.dump() << "\n";
        return;
      }
      std::printf("layout %s, base %g; wavelength of column c: 2π·base^(2i/d)\n", to_string(r.layout), r.base);
      print_rows("PE", PE);
      if (options->similarity) print_rows("PE·PEᵀ", similarity(PE));
    });
  });
}

}  // namespace attnviz::app

#pragma once
// The options every command that runs the model shares:
//   --preset NAME  --seed N  --set key=value …  --src "words…"  --tgt "words…"  --pad N

#include "model/session.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace CLI { class App; }

namespace attnviz::app {

struct SessionOptions {
  std::string preset = "lesson";
  std::uint64_t seed = 0;
  std::vector<std::string> sets;  // "key=value"
  std::string src, tgt;           // empty: the preset's sentence
  int pad = 0;
};

void add_session_options(CLI::App& command, SessionOptions& options);

// Builds the session; throws InputError naming what is wrong.
Session make_session(const SessionOptions& options);

// Runs `body`; an InputError or a file error is printed to stderr as "attnviz: …" and ends the
// command with status 1 (as CLI::RuntimeError).
void run_command(const std::function<void()>& body);

}  // namespace attnviz::app

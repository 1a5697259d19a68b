#include "app/session_options.h"

#include "model/error.h"

#include <CLI/CLI.hpp>

#include <iostream>

namespace attnviz::app {

void add_session_options(CLI::App& command, SessionOptions& o) {
  command.add_option("--preset", o.preset, "Model size and sentence: lesson, small or base")->capture_default_str();
  command.add_option("--seed", o.seed, "Seed of the initial weights")->capture_default_str();
  command.add_option("--set", o.sets, "Override a config key, e.g. --set heads=2 --set norm=pre");
  command.add_option("--src", o.src, "Source sentence (words of the vocabulary)");
  command.add_option("--tgt", o.tgt, "Target sentence");
  command.add_option("--pad", o.pad, "Padding tokens appended to both sentences")->capture_default_str();
}

Session make_session(const SessionOptions& o) {
  Preset preset = make_preset(o.preset);
  for (const std::string& kv : o.sets) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw InputError("--set " + kv + ": expected key=value");
    set_config_value(preset.config, kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!o.src.empty()) preset.src_text = o.src;
  if (!o.tgt.empty()) preset.tgt_text = o.tgt;
  Session session(preset, o.seed);
  if (o.pad != 0) session.set_sentences(preset.src_text, preset.tgt_text, o.pad);
  return session;
}

void run_command(const std::function<void()>& body) {
  try {
    body();
  } catch (const CLI::Error&) {
    throw;
  } catch (const InputError& e) {
    std::cerr << "attnviz: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  } catch (const std::runtime_error& e) {
    std::cerr << "attnviz: " << e.what() << "\n";
    throw CLI::RuntimeError(1);
  }
}

}  // namespace attnviz::app

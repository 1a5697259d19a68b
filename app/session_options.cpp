#include "app/session_options.h"

#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

namespace attnviz::app {

void add_session_options(CLI::App& command, SessionOptions& o) {
  command.add_option("--lesson", o.lesson, "Lesson file (JSON); default: assets/lessons/word-order.json");
  command.add_option("--preset", o.preset, "Instead of a lesson, a built-in size: lesson, small or base");
  command.add_option("--weights", o.weights, "Weights file (safetensors); default: the lesson's own");
  command.add_option("--seed", o.seed, "Seed of the initial weights")->capture_default_str();
  command.add_option("--set", o.sets, "Override a config key, e.g. --set heads=2 --set norm=pre");
  command.add_option("--src", o.src, "Source sentence (words of the vocabulary)");
  command.add_option("--tgt", o.tgt, "Target sentence");
  command.add_option("--pad", o.pad, "Padding tokens appended to both sentences")->capture_default_str();
}

namespace {
std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }
}  // namespace

std::string default_lesson_path() { return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json"; }

Lesson load_lesson(const std::string& path) { return io::read_lesson_file(path.empty() ? default_lesson_path() : path); }

void apply_sets(Config& config, const std::vector<std::string>& sets) {
  for (const std::string& kv : sets) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw InputError("--set " + kv + ": expected key=value");
    set_config_value(config, kv.substr(0, eq), kv.substr(eq + 1));
  }
}

Session make_session(const SessionOptions& o) {
  if (!o.preset.empty() && !o.lesson.empty()) throw InputError("--preset " + o.preset + " and --lesson " + o.lesson + ": give one");
  Preset preset;
  std::string weights = o.weights, lesson_weights;
  if (!o.preset.empty()) {
    preset = make_preset(o.preset);
  } else {
    const Lesson lesson = load_lesson(o.lesson);
    preset = to_preset(lesson);
    lesson_weights = lesson.weights;
    if (weights.empty()) weights = lesson.weights;
  }
  apply_sets(preset.config, o.sets);
  if (!o.src.empty()) preset.src_text = o.src;
  if (!o.tgt.empty()) preset.tgt_text = o.tgt;
  Session session(preset, o.seed);
  if (!weights.empty()) {
    io::read_weights(weights, session.model().params());
    session.set_weights_origin(weights == lesson_weights ? "the lesson's trained weights (" + file_name(weights) + ")"
                                                         : "weights from " + file_name(weights));
    session.rerun();
  }
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

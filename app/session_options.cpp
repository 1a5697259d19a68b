#include "app/session_options.h"

#include "model/budget.h"
#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/parallel.h"
#include "model/quote.h"
#include "views/i18n.h"
#include "views/lesson_loader.h"

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
  add_memory_limit_option(command);
}

void add_memory_limit_option(CLI::App& command) {
  const auto set = [](double gb) {
    limits().memory_bytes = gb * 1e9;
    limits().training_memory_bytes = 2 * gb * 1e9;
  };
  command
      .add_option_function<double>("--memory-limit", set,
                                   "GB a model and its trace may use (default 2; training: twice that)")
      ->check(CLI::Range(0.01, 1e6));
}

void add_threads_option(CLI::App& command) {
  command
      .add_option_function<int>(
          "--threads", [](int n) { set_threads(n); },
          "Threads for large matrix products (default: the " + std::to_string(available_cores()) +
              " cores here; products too small to gain run on one)")
      ->check(CLI::Range(1, 64));
}

namespace {
std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }
}  // namespace

std::string default_lesson_path() { return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json"; }

Lesson load_lesson(const std::string& path) { return views::read_lesson(path.empty() ? default_lesson_path() : path); }

void apply_sets(Config& config, const std::vector<std::string>& sets) {
  for (const std::string& kv : sets) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos) throw InputError("--set " + kv + ": expected key=value");
    const std::string note = set_config_value(config, kv.substr(0, eq), kv.substr(eq + 1));
    if (!note.empty()) std::cerr << "attnviz: note: --set " << printable(note, 300) << "\n";
  }
}

namespace {

// The lesson's reference applies when nothing of its example, weights or config was changed.
bool runs_lesson_as_given(const SessionOptions& o, const Lesson& lesson) {
  return lesson.reference && o.weights.empty() && o.sets.empty() && o.pad == 0 &&
         (o.src.empty() || o.src == lesson.example.src) && (o.tgt.empty() || o.tgt == lesson.example.tgt);
}

}  // namespace

Session make_session(const SessionOptions& o, std::optional<ReferenceCheck>* reference) {
  if (!o.preset.empty() && !o.lesson.empty())
    throw InputError("--preset " + o.preset + " and --lesson " + o.lesson + ": give one");
  std::optional<Lesson> lesson;
  if (o.preset.empty()) lesson = load_lesson(o.lesson);
  const std::string lesson_path = o.lesson.empty() ? default_lesson_path() : o.lesson;
  if (lesson)
    for (const std::string& note : lesson->notes)
      std::cerr << "attnviz: note: " << printable(lesson_path, 200) << ": " << printable(note, 300) << "\n";
  Preset preset = lesson ? to_preset(*lesson) : make_preset(o.preset);
  apply_sets(preset.config, o.sets);
  if (!o.src.empty()) preset.src_text = o.src;
  if (!o.tgt.empty()) preset.tgt_text = o.tgt;
  Session session(preset, o.seed);
  if (!o.weights.empty()) {
    io::read_weights(o.weights, session.model().params(),
                     lesson ? lesson->weight_names : std::map<std::string, std::string>{});
    session.set_weights_origin(views::formatted(views::tr("weights from %s"), file_name(o.weights).c_str()));
  } else if (lesson && !lesson->weights.empty()) {
    io::read_lesson_weights(lesson_path, *lesson, session.model().params());
    session.set_weights_origin(
        views::formatted(views::tr("the lesson's trained weights (%s)"), file_name(lesson->weights).c_str()));
  }
  if (!o.weights.empty() || (lesson && !lesson->weights.empty())) session.rerun();
  if (o.pad != 0) session.set_sentences(preset.src_text, preset.tgt_text, o.pad);
  if (reference) reference->reset();
  if (lesson && runs_lesson_as_given(o, *lesson)) {
    const ReferenceCheck check = check_reference(*lesson->reference, session.trace());
    const std::string line = printable(lesson_path, 200) + ": " + check.message;
    if (!check.agrees && !reference) throw InputError(line);
    if (check.agrees) std::cerr << "attnviz: note: " << line << "\n";
    if (reference) *reference = check;
  }
  return session;
}

void run_command(const std::function<void()>& body) {
  try {
    body();
  } catch (const CLI::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    std::cerr << "attnviz: out of memory\n";
    throw CLI::RuntimeError(1);
  } catch (const std::exception& e) {
    std::cerr << "attnviz: " << printable(e.what(), 600) << "\n";
    throw CLI::RuntimeError(1);
  }
}

}  // namespace attnviz::app

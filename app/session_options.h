#pragma once
// The options every command that runs the model shares:
//   --lesson FILE | --preset NAME  --weights FILE  --seed N  --set key=value …
//   --src "words…"  --tgt "words…"  --pad N

#include "model/lesson.h"
#include "model/reference.h"
#include "model/session.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace attnviz::app {

struct SessionOptions {
  std::string lesson;   // empty: the default lesson (unless a preset is given)
  std::string preset;   // empty: use the lesson
  std::string weights;  // empty: the lesson's own weights file, if it names one
  std::uint64_t seed = 0;
  std::vector<std::string> sets;  // "key=value"
  std::string src, tgt;           // empty: the lesson's (or preset's) sentence
  int pad = 0;
};

void add_session_options(CLI::App& command, SessionOptions& options);

// --memory-limit GB: the memory a model and its trace may take (model/budget.h); training may
// take twice as much.  Set as soon as it is parsed.
void add_memory_limit_option(CLI::App& command);

// --threads N: the threads large matrix products are split over (model/parallel.h); default:
// the cores this process may run on.  Set as soon as it is parsed.
void add_threads_option(CLI::App& command);

// assets/lessons/word-order.json of the source tree.
std::string default_lesson_path();

// The lesson of --lesson, or the default lesson; throws InputError naming the file and field.
Lesson load_lesson(const std::string& path);

// Applies `key=value` overrides to a config; throws InputError naming the key.  Notes (an
// ignored dropout) go to stderr.
void apply_sets(Config& config, const std::vector<std::string>& sets);

// Builds the session: the lesson or preset, the overrides, the weights (from --weights or the
// lesson's file), the sentences.  Throws InputError naming what is wrong.  The lesson's notes
// go to stderr.  When the session runs a lesson's own example on its own weights and config,
// the lesson's reference (the trained model's answer, model/reference.h) is checked: a
// disagreement throws, unless `reference` is given, which receives the check either way (the
// window shows it); an agreement is noted on stderr.
Session make_session(const SessionOptions& options, std::optional<ReferenceCheck>* reference = nullptr);

// Runs `body`; any error it throws (bad input, a file error, memory that cannot be had) is
// printed to stderr as one escaped line "attnviz: …" and ends the command with status 1 (as
// CLI::RuntimeError).
void run_command(const std::function<void()>& body);

}  // namespace attnviz::app

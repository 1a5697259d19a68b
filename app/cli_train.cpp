// attnviz train [--lesson FILE] [--steps N] [--seed S] [--out WEIGHTS.safetensors] [--json]
//               [--set key=value …] [--batch N] [--lr X] [--warmup N] [--dtype f32|f64]
//               [--compare-positional]

#include "app/commands.h"
#include "app/session_options.h"
#include "model/error.h"
#include "model/io/files.h"
#include "model/io/safetensors.h"
#include "model/trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

namespace attnviz::app {

namespace {

using Json = nlohmann::ordered_json;

struct TrainOptions {
  std::string lesson, out, dtype = "f64";
  std::optional<int> steps, batch, warmup;
  std::optional<std::uint64_t> seed;
  std::optional<double> lr;
  std::vector<std::string> sets;
  bool json = false, compare_positional = false;
};

struct Run {
  std::vector<CurvePoint> curve;
  std::vector<double> seconds;  // wall time at each curve point
  Evaluation held;
  double total_seconds = 0;
};

// Trains from scratch, timing each curve point.
Run train(Trainer& trainer, int steps) {
  using clock = std::chrono::steady_clock;
  Run run;
  const auto start = clock::now();
  std::size_t points = trainer.curve().size();
  std::vector<double> at(points, 0.0);
  for (int i = 0; i < steps; ++i) {
    trainer.step();
    const std::size_t now = trainer.curve().size();
    if (now != points) {
      at.resize(now, std::chrono::duration<double>(clock::now() - start).count());
      points = now;
    }
  }
  run.total_seconds = std::chrono::duration<double>(clock::now() - start).count();
  run.curve = trainer.curve();
  run.seconds = at;
  run.held = trainer.evaluate_held_out();
  return run;
}

std::string position_name(const Lesson& l, std::size_t t) {
  if (t < l.task.position_names.size()) return l.task.position_names[t];
  return "word " + std::to_string(t + 1);
}

Json positions_json(const Lesson& l, const Evaluation& e) {
  Json out = Json::array();
  for (std::size_t t = 0; t < e.position_accuracy.size(); ++t)
    out.push_back({{"position", t},
                   {"name", position_name(l, t)},
                   {"accuracy", e.position_accuracy[t]},
                   {"tokens", e.position_tokens[t]}});
  return out;
}

Json run_json(const Lesson& l, const Run& r) {
  Json curve = Json::array();
  for (std::size_t i = 0; i < r.curve.size(); ++i) {
    const CurvePoint& p = r.curve[i];
    curve.push_back({{"step", p.step},
                     {"seconds", r.seconds[i]},
                     {"learning_rate", p.learning_rate},
                     {"train_loss", p.train_loss},
                     {"train_accuracy", p.train_accuracy},
                     {"held_loss", p.held_loss},
                     {"held_accuracy", p.held_accuracy}});
  }
  return {{"curve", curve},
          {"seconds", r.total_seconds},
          {"held_out",
           {{"loss", r.held.loss},
            {"accuracy", r.held.accuracy},
            {"tokens", r.held.tokens},
            {"positions", positions_json(l, r.held)}}}};
}

void print_run(std::ostream& out, const Lesson& l, const Run& r) {
  char line[160];
  out << " step   time  lr        train loss  acc     held loss  acc\n";
  for (std::size_t i = 0; i < r.curve.size(); ++i) {
    const CurvePoint& p = r.curve[i];
    std::snprintf(line, sizeof line, "%5d %5.2fs  %-8.3g  %9.4g  %6.2f%%  %9.4g  %6.2f%%\n", p.step, r.seconds[i],
                  p.learning_rate, p.train_loss, 100 * p.train_accuracy, p.held_loss, 100 * p.held_accuracy);
    out << line;
  }
  std::snprintf(line, sizeof line, "held-out: loss %.4g, token accuracy %.2f%% (%d tokens), %.2f s\n", r.held.loss,
                100 * r.held.accuracy, r.held.tokens, r.total_seconds);
  out << line << "per word:";
  for (std::size_t t = 0; t < r.held.position_accuracy.size(); ++t) {
    std::snprintf(line, sizeof line, "  %s %.1f%%", position_name(l, t).c_str(), 100 * r.held.position_accuracy[t]);
    out << line;
  }
  out << "\n";
}

// "OUT.safetensors" for the lesson's own model, "OUT-seq2seq.safetensors" for a compared one.
std::string weights_path(const std::string& out, const std::string& name) {
  const std::filesystem::path p(out);
  return (p.parent_path() / (p.stem().string() + "-" + name + p.extension().string())).string();
}

// A lesson that compares models (why-attention.json) trains each in turn: its own model with the
// command's settings, every compared one with its own; --out names the first, the others beside it.
void train_compared(const TrainOptions& o, const Lesson& lesson, const TrainingSettings& s, Json& j) {
  std::vector<std::pair<Lesson, TrainingSettings>> models{{lesson, s}};
  for (const ComparedModel& m : lesson.compare) models.emplace_back(with_model(lesson, m), m.training);
  std::vector<std::unique_ptr<Trainer>> trainers;
  for (auto& [l, settings] : models) trainers.push_back(std::make_unique<Trainer>(l, settings));  // all checked first
  double total = 0;
  j["models"] = Json::array();
  for (std::size_t i = 0; i < models.size(); ++i) {
    const auto& [l, settings] = models[i];
    const std::string name = to_string(l.config.architecture);
    if (!o.json)
      std::cout << (i ? "\n" : "") << lesson.title.en << ", " << name << ": " << trainers[i]->train_pairs().size()
                << " training pairs, " << trainers[i]->held_pairs().size() << " held out; " << settings.steps
                << " steps of " << settings.batch_size << ", seed " << settings.seed << "\n";
    const Run r = train(*trainers[i], settings.steps);
    total += r.total_seconds;
    std::string out;
    if (!o.out.empty()) {
      out = i == 0 ? o.out : weights_path(o.out, name);
      io::write_weights(out, trainers[i]->model().params(), o.dtype == "f32" ? io::DType::f32 : io::DType::f64);
    }
    if (o.json) {
      Json run = {{"architecture", name}, {"steps", settings.steps}};
      run.update(run_json(l, r));
      run["weights"] = out.empty() ? Json() : Json(out);
      j["models"].push_back(run);
      continue;
    }
    print_run(std::cout, l, r);
    if (!out.empty()) std::cout << "wrote " << out << "\n";
  }
  if (o.json) {
    j["seconds"] = total;
    std::cout << j.dump(2) << "\n";
    return;
  }
  char line[96];
  std::snprintf(line, sizeof line, "\n%zu models trained in %.1f s in all\n", models.size(), total);
  std::cout << line;
}

// The lesson's training settings with the command line's overrides, checked.
TrainingSettings training_settings(const TrainOptions& o, const Lesson& lesson) {
  TrainingSettings s = lesson.training;
  if (o.steps) s.steps = *o.steps;
  if (o.seed) s.seed = *o.seed;
  if (o.batch) s.batch_size = *o.batch;
  if (o.lr) s.learning_rate = *o.lr;
  if (o.warmup) s.warmup = *o.warmup;
  if (o.dtype != "f32" && o.dtype != "f64") throw InputError("--dtype " + o.dtype + ": expected f32 or f64");
  if (s.steps < 1) throw InputError("--steps " + std::to_string(s.steps) + ": must be at least 1");
  return s;
}

// --compare-positional: the lesson trained with its positional encoding and without any.
void train_positional_pair(const TrainOptions& o, const Lesson& lesson, const TrainingSettings& s, Json& j) {
  check_positional_experiment(lesson);
  Lesson with = lesson, without = lesson;
  if (with.config.positional == Positional::none) with.config.positional = Positional::interleaved;
  without.config.positional = Positional::none;
  Trainer a(with, s), b(without, s);  // both checked before either trains
  const Run ra = train(a, s.steps);
  const Run rb = train(b, s.steps);
  if (o.json) {
    j["with_positional"] = run_json(lesson, ra);
    j["without_positional"] = run_json(lesson, rb);
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << lesson.title.en << ": " << s.steps << " steps from seed " << s.seed << ", positional encoding "
            << to_string(with.config.positional) << " against none\n\nwith positional encoding\n";
  print_run(std::cout, lesson, ra);
  std::cout << "\nwithout positional encoding\n";
  print_run(std::cout, lesson, rb);
  std::cout << "\nheld-out accuracy per word   with PE   without PE\n";
  for (std::size_t t = 0; t < ra.held.position_accuracy.size() && t < rb.held.position_accuracy.size(); ++t) {
    char line[128];
    std::snprintf(line, sizeof line, "  %-26s %6.1f%%   %6.1f%%\n", position_name(lesson, t).c_str(),
                  100 * ra.held.position_accuracy[t], 100 * rb.held.position_accuracy[t]);
    std::cout << line;
  }
}

// The lesson's one model trained; its weights written to --out.
void train_one(const TrainOptions& o, const Lesson& lesson, const TrainingSettings& s, Json& j) {
  Trainer trainer(lesson, s);
  if (!o.json)
    std::cout << lesson.title.en << ": " << trainer.train_pairs().size() << " training pairs, "
              << trainer.held_pairs().size() << " held out; " << s.steps << " steps of " << s.batch_size << ", seed "
              << s.seed << ", positional " << to_string(lesson.config.positional) << "\n";
  const Run r = train(trainer, s.steps);
  if (!o.out.empty())
    io::write_weights(o.out, trainer.model().params(), o.dtype == "f32" ? io::DType::f32 : io::DType::f64);
  if (o.json) {
    j.update(run_json(lesson, r));
    j["weights"] = o.out.empty() ? Json() : Json(o.out);
    std::cout << j.dump(2) << "\n";
    return;
  }
  print_run(std::cout, lesson, r);
  if (!o.out.empty()) std::cout << "wrote " << o.out << "\n";
}

void run_train(const TrainOptions& o) {
  Lesson lesson = load_lesson(o.lesson);
  apply_sets(lesson.config, o.sets);
  const TrainingSettings s = training_settings(o, lesson);
  if (!o.out.empty()) io::check_output_path(o.out);  // refused before training, not after

  Json j = {{"lesson", lesson.title.en},        {"steps", s.steps},   {"batch_size", s.batch_size},
            {"learning_rate", s.learning_rate}, {"warmup", s.warmup}, {"seed", s.seed}};
  if (o.compare_positional)
    train_positional_pair(o, lesson, s, j);
  else if (!lesson.compare.empty())
    train_compared(o, lesson, s, j);
  else
    train_one(o, lesson, s, j);
}

}  // namespace

void add_train_command(CLI::App& cli) {
  auto o = std::make_shared<TrainOptions>();
  CLI::App* cmd = cli.add_subcommand("train", "Train a lesson's model from scratch and print the curves");
  cmd->add_option("--lesson", o->lesson, "Lesson file (JSON); default: assets/lessons/word-order.json");
  cmd->add_option("--steps", o->steps, "Training steps (default: the lesson's)");
  cmd->add_option("--seed", o->seed, "Seed of the initial weights and the batch order (default: the lesson's)");
  cmd->add_option("--batch", o->batch, "Examples per mini-batch (default: the lesson's)");
  cmd->add_option("--lr", o->lr, "Learning rate (default: the lesson's)");
  cmd->add_option("--warmup", o->warmup, "Warm-up steps of the paper's schedule; 0: constant learning rate");
  cmd->add_option("--set", o->sets, "Override a config key, e.g. --set positional=none");
  cmd->add_option("--out", o->out, "Write the trained weights (safetensors) to this file");
  cmd->add_option("--dtype", o->dtype, "Number format of --out: f32 or f64")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print the curves as JSON");
  add_threads_option(*cmd);
  add_memory_limit_option(*cmd);
  cmd->add_flag("--compare-positional", o->compare_positional,
                "Train twice from the same seed, with and without positional encoding, and compare per word");
  cmd->callback([o] { run_command([&] { run_train(*o); }); });
}

}  // namespace attnviz::app

// attnviz lab seq2seq [--lesson FILE] [--train] [--json]   held-out token accuracy per source
// length and the gradient reaching the first source token, for the lesson's model and every
// model it compares (assets/lessons/why-attention.json: Seq2Seq, Bahdanau, Transformer).

#include "app/commands.h"
#include "app/session_options.h"
#include "model/analysis/why_attention.h"
#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/trainer.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace attnviz::app {
namespace {

using Json = nlohmann::ordered_json;

struct Seq2SeqLabOptions {
  std::string lesson;
  bool train = false, json = false;
};

std::string why_attention_path() { return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/why-attention.json"; }

// The lesson's own model first, then the ones it compares, each with its lesson.
std::vector<Lesson> models_of(const Lesson& lesson) {
  std::vector<Lesson> models{with_model(lesson, {lesson.config, lesson.training, lesson.weights})};
  for (const ComparedModel& m : lesson.compare) models.push_back(with_model(lesson, m));
  return models;
}

// What the lab measured of each compared model, in the lesson's order.
struct Measured {
  std::vector<analysis::ModelFigures> figures;
  std::vector<double> seconds;                     // training time, with --train
  std::vector<std::pair<double, double>> initial;  // ‖∂L/∂e₀‖, ‖∂L/∂e_last‖ at the seed's initial weights
};

std::pair<double, double> initial_gradients(const Lesson& m, const SentencePair& example) {
  Transformer seed_model(m.config, m.training.seed);
  Trace trace;
  run_forward(seed_model, encode_pair(m.config, m.src_vocab, m.tgt_vocab, example), trace);
  run_backward(trace);
  return {analysis::source_token_gradient(trace, false), analysis::source_token_gradient(trace, true)};
}

Measured measure_models(const Seq2SeqLabOptions& o, const std::string& path, const Lesson& lesson) {
  const std::vector<SentencePair> held = analysis::held_out_pairs(lesson);
  const std::vector<int> lengths = analysis::source_lengths(held);
  Measured r;
  for (const Lesson& m : models_of(lesson)) {
    r.initial.push_back(initial_gradients(m, lesson.example));
    if (o.train) {
      const auto start = std::chrono::steady_clock::now();
      Trainer trainer(m, m.training);
      trainer.train(m.training.steps);
      r.seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
      r.figures.push_back(analysis::measure(m, trainer.model(), held, lengths, lesson.example));
      continue;
    }
    if (m.weights.empty())
      throw InputError(path + ": the " + to_string(m.config.architecture) +
                       " model has no weights file; --train trains it first");
    Transformer model(m.config, m.training.seed);
    io::read_lesson_weights(path, m, model.params());
    r.figures.push_back(analysis::measure(m, model, held, lengths, lesson.example));
  }
  return r;
}

void print_measured(const Seq2SeqLabOptions& o, const Lesson& lesson, const std::vector<int>& lengths,
                    const Measured& r) {
  std::printf("%s: held-out token accuracy by source length (%s)\n\nlength", lesson.title.en.c_str(),
              o.train ? "trained now" : "shipped weights");
  for (const analysis::ModelFigures& f : r.figures) std::printf("  %11s", f.name.c_str());
  std::printf("\n");
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    std::printf("%6d", lengths[i]);
    for (const analysis::ModelFigures& f : r.figures) std::printf("  %10.1f%%", 100 * f.accuracy[i]);
    std::printf("\n");
  }
  std::printf("\nthe gradient reaching the first and the last source word of \"%s\":\n", lesson.example.src.c_str());
  std::printf("  %-11s  %11s  %11s  %11s\n", "", "‖∂L/∂e₀‖", "‖∂L/∂e_last‖", "first/last");
  for (const analysis::ModelFigures& f : r.figures)
    std::printf("  %-11s  %11.3e  %11.3e  %11.3g\n", f.name.c_str(), f.first_token_grad, f.last_token_grad,
                f.first_token_grad / f.last_token_grad);
  std::printf("and at the seed's initial weights, where training starts:\n");
  for (std::size_t i = 0; i < r.figures.size(); ++i)
    std::printf("  %-11s  %11.3e  %11.3e  %11.3g\n", r.figures[i].name.c_str(), r.initial[i].first, r.initial[i].second,
                r.initial[i].first / r.initial[i].second);
  if (!o.train) return;
  double total = 0;
  for (std::size_t i = 0; i < r.figures.size(); ++i) {
    std::printf("%s %s trained in %.1f s", i ? "," : "\n", r.figures[i].name.c_str(), r.seconds[i]);
    total += r.seconds[i];
  }
  std::printf("; %.1f s in all\n", total);
}

void run(const Seq2SeqLabOptions& o) {
  const std::string path = o.lesson.empty() ? why_attention_path() : o.lesson;
  const Lesson lesson = load_lesson(path);
  if (lesson.compare.empty())
    throw InputError(path + ": compares no models (no \"compare\" list); try " + why_attention_path());
  const std::vector<int> lengths = analysis::source_lengths(analysis::held_out_pairs(lesson));
  const Measured r = measure_models(o, path, lesson);
  if (!o.json) {
    print_measured(o, lesson, lengths, r);
    return;
  }
  Json models = Json::object();
  for (const analysis::ModelFigures& f : r.figures)
    models[f.name] = {{"accuracy", f.accuracy}, {"first_token_grad", f.first_token_grad}};
  std::cout << Json{{"lengths", lengths}, {"models", models}}.dump(2) << "\n";
}

}  // namespace

void add_lab_seq2seq_command(CLI::App& lab) {
  auto o = std::make_shared<Seq2SeqLabOptions>();
  CLI::App* cmd = lab.add_subcommand(
      "seq2seq", "Why attention: accuracy per sentence length and first-token gradient, Seq2Seq against attention");
  cmd->add_option("--lesson", o->lesson,
                  "Lesson file with a \"compare\" list; default: assets/lessons/why-attention.json");
  cmd->add_flag("--train", o->train, "Train every model from its seed first, instead of reading the shipped weights");
  cmd->add_flag("--json", o->json, "Print JSON instead of a table");
  add_threads_option(*cmd);
  cmd->callback([o] { run_command([&] { run(*o); }); });
}

}  // namespace attnviz::app

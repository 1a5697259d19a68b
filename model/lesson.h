#pragma once
// A lesson: what the app opens on.  The model config, the two vocabularies, the task the model
// learns (sentence pairs, given or generated), the sentence pair shown first, how to train it,
// and where its trained weights live.  Pure data: model/io/lesson_file.h reads it from JSON.

#include "model/config.h"
#include "model/presets.h"
#include "model/tensor.h"
#include "model/tour.h"
#include "model/vocabulary.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace attnviz {

struct SentencePair {
  std::string src, tgt;
  bool operator==(const SentencePair&) const = default;
};

// The sentence pairs of a lesson.  Either `pairs` as given (generator empty), or made by a
// generator from its parameters and a seed:
//   word_order — every "the S V the O" → "S 는|은 O 를|을 V" over `nouns` × `nouns` (S ≠ O) × `verbs`,
//                English SVO to Korean SOV; the particle follows the noun's last syllable
//                (은/을 after a final consonant, 는/를 after a vowel)
//   reverse    — `count` sequences of `min_length`…`max_length` digits → the same digits reversed
//   copy       — the same, copied unchanged
struct Task {
  std::string generator;                                          // "", "word_order", "reverse", "copy"
  std::vector<SentencePair> pairs;                                // generator "" only
  std::vector<std::pair<std::string, std::string>> nouns, verbs;  // word_order: English → Korean
  int count = 0, min_length = 0, max_length = 0;                  // reverse, copy
  double held_out = 0.2;                                          // fraction of the pairs kept for evaluation
  std::uint64_t seed = 1;                                         // of the generator and the held-out split
  std::vector<std::string> position_names;                        // names of target positions, for per-word accuracy
  // No pairs and no generator: a lesson that only shows its model (nothing to train on).
  bool empty() const { return generator.empty() && pairs.empty(); }
};

std::vector<std::string> task_generators();  // the generator names above

// The task's pairs: the given ones, or the generator's, deterministic for a seed.  Throws
// InputError naming the parameter for a generator it does not know or bad parameters.
std::vector<SentencePair> make_pairs(const Task& task, std::uint64_t seed);

// Splits pairs into training and held-out sets.  Pairs whose sources hold the same words in a
// different order stay on the same side, so a model that ignores word order cannot look up a
// held-out sentence's mirror image.  The groups are shuffled (seeded) and the last ones held out
// until round(held_out · n) pairs are (at least one when held_out > 0; never every group).
void split_pairs(const std::vector<SentencePair>& pairs, double held_out, std::uint64_t seed,
                 std::vector<SentencePair>& train, std::vector<SentencePair>& held);

// Adam with the paper's constants, and the paper's warm-up schedule when warmup > 0:
//   lrate = lr · min(step^−0.5 · √warmup, step / warmup)   (peak lr at step = warmup)
struct TrainingSettings {
  int steps = 1000;
  int batch_size = 16;
  double learning_rate = 1e-3;
  int warmup = 0;
  std::uint64_t seed = 1;
  int eval_every = 50;
  double target_accuracy = 0;  // held-out token accuracy the shipped weights reach
};

// A model's own answer on the lesson's example, recorded where it was trained (PyTorch, by
// scripts/attnviz_export.py): the loss and the logits (T_tgt, tgt_vocab) of the example on the
// lesson's weights.  attnviz compares its run with it on load (model/reference.h).
struct Reference {
  double loss = 0;
  Mat logits;
  std::string by;  // "PyTorch 2.1.0, float64"
};

// Another model trained on the lesson's task, shown beside the lesson's own ("Why attention?"):
// its config is the lesson's with the compared model's keys set (an architecture, its sizes),
// with its own training settings and weights.  Named by its architecture.
struct ComparedModel {
  Config config;
  TrainingSettings training;
  std::string weights;  // as the lesson's `weights`; empty: untrained
  const char* name() const { return to_string(config.architecture); }
};

struct Lesson {
  LocalText title, description;     // title.en required; ko empty: the English stands for both
  Config config;                    // src_vocab and tgt_vocab equal the vocabularies' sizes
  Vocabulary src_vocab, tgt_vocab;  // the source's wraps() is the lesson's wrap_source
  Task task;                        // empty: a lesson that only shows its model
  SentencePair example;             // shown first
  std::string weights;              // path relative to the lesson file; empty: untrained
  // Parameter name → the tensor's name in the weights file, where they differ and are not
  // nn.Transformer's own (which the loader reads as they are): "src_embed.weight" →
  // "src_tok_emb.embedding.weight".
  std::map<std::string, std::string> weight_names;
  std::optional<Reference> reference;
  std::vector<std::string> notes;     // said when the lesson is opened: keys accepted but ignored
  std::string panel = "walkthrough";  // where the window opens: a name of the views' panel registry
  int step = 0;
  TrainingSettings training;
  FixedAttention attention;  // set only for the self-attention-by-hand lesson
  std::vector<TourStop> tour;
  std::vector<ComparedModel> compare;  // every model's architecture differs from the others'
};

// The lesson with `model` in place of its own model: its config, training and weights.
Lesson with_model(const Lesson& lesson, const ComparedModel& model);

// Every field checked against the others: vocabularies cover the example and the task's words,
// the example fits max_len, the config is valid (the panel's name is the window's to check), a
// reference has the example's shape.  Throws InputError naming the field.
void validate(const Lesson& lesson);

// The session view of a lesson: its config, vocabularies and example pair.
Preset to_preset(const Lesson& lesson);

// Per-word vocabularies made from the pairs, in order of first appearance.
Vocabulary source_vocabulary(const std::vector<SentencePair>& pairs);
Vocabulary target_vocabulary(const std::vector<SentencePair>& pairs);

}  // namespace attnviz

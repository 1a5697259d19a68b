#pragma once
// One lesson's live state: the model, the sentence pair, and the trace of its last run.
// Edits are all-or-nothing: a bad sentence or config throws InputError and changes nothing.
// A preset with fixed attention matrices (worked example A) records that one head instead of the
// model: its trace is the example's, and sentences and config cannot change it.

#include "model/presets.h"
#include "model/trace.h"
#include "model/transformer.h"

#include <cstdint>
#include <memory>
#include <string>

namespace attnviz {

// "seed 3's initial weights": a session's weights_origin() until weights are loaded or trained.
std::string seed_words(std::uint64_t seed);

class Session {
 public:
  // Builds the model from the preset's config and the seed, and runs forward + backward on the
  // preset's sentence pair.
  explicit Session(Preset preset, std::uint64_t seed = 0);

  const Preset& preset() const { return preset_; }
  const Config& config() const { return model_->config(); }
  const Transformer& model() const { return *model_; }
  Transformer& model() { return *model_; }
  const Example& example() const { return example_; }
  const Trace& trace() const { return trace_; }
  const std::string& src_text() const { return src_text_; }
  const std::string& tgt_text() const { return tgt_text_; }
  int pad() const { return pad_; }
  std::uint64_t seed() const { return seed_; }
  // The trace is worked example A's head, not the model's.
  bool fixed_attention() const { return !preset_.attention.empty(); }
  // Where the weights came from, in words: "seed 0's initial weights" (the default and after
  // set_config), "the lesson's trained weights (word-order.safetensors)", "after 40 training steps".
  const std::string& weights_origin() const { return weights_origin_; }
  void set_weights_origin(std::string words) { weights_origin_ = std::move(words); }

  // Words of each position of the current example, for row and column labels.
  std::vector<std::string> src_words() const;
  std::vector<std::string> tgt_in_words() const;
  std::vector<std::string> tgt_out_words() const;

  // New sentences (and padding); re-runs forward + backward.
  void set_sentences(const std::string& src, const std::string& tgt, int pad);
  // A new config (same vocabularies), re-initialised from the seed; re-runs.
  void set_config(const Config& config);
  // Re-runs forward + backward on the current weights (after they changed).
  void rerun();

  // Takes a run of this session's example made by another model of the same sizes (a trainer's,
  // on its own thread): that model's weights are copied in, and its gradients and `run` are
  // swapped with this session's, so the other model keeps this session's old ones as scratch.
  // What it returns says whether the run was taken; anything but `taken` changes nothing.
  enum class RunTaken : std::uint8_t { taken, other_example, other_shapes };
  RunTaken take_run(Parameters& other, Trace& run, const Example& ran_on);

 private:
  void use_sentences(const std::string& src, const std::string& tgt, int pad);

  Preset preset_;
  std::uint64_t seed_;
  std::string weights_origin_;
  std::unique_ptr<Transformer> model_;
  std::string src_text_, tgt_text_;
  int pad_ = 0;
  Example example_;
  // W_Qᵀ, W_Kᵀ, W_Vᵀ and zero biases, when fixed_attention(); on the heap, as the model is, so
  // the trace's pointer to them survives a move of the session.
  std::unique_ptr<Parameters> fixed_params_;
  Trace trace_;
};

}  // namespace attnviz

#pragma once
// Decoding without a target: the model is fed its own outputs.  Each step runs the model forward
// on the source and the prefix decided so far (<bos> + chosen words) and reads the last
// position's logits: with the look-ahead mask that row depends on the prefix alone.
//
//   greedy:  append argmax_w ln P(w | src, prefix) until <eos> or max_tokens
//   beam:    keep the k best hypotheses by score = Σ ln P(word | src, prefix); each live one is
//            extended by every word, a finished one (ending in <eos>) is carried over unchanged;
//            stop when all k kept are finished or after max_tokens words.
// <pad> and <bos> are never chosen (they are never targets); probabilities are over the whole
// vocabulary.  Ties go to the lower word id (and, in beam search, the earlier hypothesis).

#include "model/trace.h"
#include "model/transformer.h"
#include "model/vocabulary.h"

#include <vector>

namespace attnviz::analysis {

inline constexpr int max_beam = 64;

struct DecodeOptions {
  int beam = 2;            // hypotheses kept per step, 1 … 64 (beam search only)
  int max_tokens = 0;      // words generated at most, <eos> included; 0: the model's max_len
  Scalar temperature = 1;  // ln P = log softmax(z / T)
};

// Throws InputError naming the field and value (beam, max_tokens, temperature).
void validate(const Config& config, const DecodeOptions& options);

// ln P(next word | src, prefix) = log softmax(z/T) of the last position    → (1, V).
// `prefix` starts with <bos>; `scratch` holds the forward trace afterwards (targets all <pad>).
// `model` is only read.
Mat next_word_log_probs(Transformer& model, const std::vector<int>& src, const std::vector<int>& prefix, int pad_id,
                        Scalar temperature, Trace& scratch);

struct GreedyStep {
  std::vector<int> prefix;  // the decoder's input: <bos> + the words chosen before
  Mat log_probs;            // (1, V): ln P(w | src, prefix)
  int word = -1;            // the argmax
  Scalar score = 0;         // Σ ln P of the words chosen so far, this one included
};

struct GreedyResult {
  std::vector<GreedyStep> steps;
  std::vector<int> words;  // the chosen words, <eos> included when reached
  Scalar score = 0;
  bool finished = false;  // ended with <eos>
};

// `tokens`: the target vocabulary's <pad>, <bos> and <eos> (and the source's <pad>, the same).
GreedyResult greedy_decode(Transformer& model, const std::vector<int>& src, const SpecialIds& tokens,
                           const DecodeOptions& options);

struct Hypothesis {
  std::vector<int> words;  // without <bos>; ends with <eos> when finished
  Scalar score = 0;        // Σ ln P of its words
  bool finished = false;
};

struct BeamCandidate {
  int parent = -1;        // index into the step's `beams`
  int word = -1;          // the word appended; −1 for a finished hypothesis carried over
  Scalar log_prob = 0;    // ln P(word | src, parent's prefix); 0 when carried
  Scalar score = 0;       // parent's score + log_prob
  bool finished = false;  // word is <eos>, or carried
  bool kept = false;      // among the `beam` best of the step
};

struct BeamStep {
  std::vector<Hypothesis> beams;          // going in; the first step has one empty hypothesis
  std::vector<BeamCandidate> candidates;  // every extension, best first
  std::vector<Hypothesis> kept;           // the kept candidates, best first: the next beams
};

struct BeamResult {
  std::vector<BeamStep> steps;
  Hypothesis best;  // the best kept hypothesis of the last step
};

BeamResult beam_search(Transformer& model, const std::vector<int>& src, const SpecialIds& tokens,
                       const DecodeOptions& options);

}  // namespace attnviz::analysis

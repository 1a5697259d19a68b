#include "model/analysis/decoding.h"

#include "model/analysis/output.h"
#include "model/error.h"
#include "model/vocabulary.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

namespace attnviz::analysis {

namespace {

bool choosable(int word, const SpecialIds& tokens) { return word != tokens.pad && word != tokens.bos; }

int token_budget(const Config& config, const DecodeOptions& o) {
  return o.max_tokens == 0 ? config.max_len : o.max_tokens;
}

std::vector<int> prefix_of(const std::vector<int>& words, const SpecialIds& tokens) {
  std::vector<int> prefix{tokens.bos};
  prefix.insert(prefix.end(), words.begin(), words.end());
  return prefix;
}

}  // namespace

void validate(const Config& config, const DecodeOptions& o) {
  if (o.beam < 1 || o.beam > max_beam)
    throw InputError("beam: " + std::to_string(o.beam) + " must be in [1, " + std::to_string(max_beam) + "]");
  if (o.max_tokens < 0 || o.max_tokens > config.max_len)
    throw InputError("max_tokens: " + std::to_string(o.max_tokens) +
                     " must be in [0, max_len = " + std::to_string(config.max_len) + "] (0: max_len)");
  if (!std::isfinite(o.temperature) || o.temperature <= 0) {
    std::ostringstream out;
    out << "temperature: " << o.temperature << " must be a finite number > 0";
    throw InputError(out.str());
  }
  if (config.tgt_vocab < 3)
    throw InputError("tgt_vocab: " + std::to_string(config.tgt_vocab) + " has no word besides <pad> and <bos>");
}

Mat next_word_log_probs(Transformer& model, const std::vector<int>& src, const std::vector<int>& prefix, int pad_id,
                        Scalar temperature, Trace& scratch) {
  Example ex;
  ex.pad_id = pad_id;
  ex.src = src;
  ex.tgt_in = prefix;
  ex.tgt_out.assign(prefix.size(), pad_id);  // no targets: the loss is 0 and unused
  run_forward(model, ex, scratch);
  const Mat& Z = scratch.value(*scratch.find(names::logits));
  const Mat last = Z.bottomRows(1);
  return log_softmax_with_temperature(last, temperature);
}

GreedyResult greedy_decode(Transformer& model, const std::vector<int>& src, const SpecialIds& tokens,
                           const DecodeOptions& o) {
  validate(model.config(), o);
  const int budget = token_budget(model.config(), o);
  Trace scratch;
  GreedyResult r;
  while (static_cast<int>(r.words.size()) < budget && !r.finished) {
    GreedyStep s;
    s.prefix = prefix_of(r.words, tokens);
    s.log_probs = next_word_log_probs(model, src, s.prefix, tokens.pad, o.temperature, scratch);
    for (int w = 0; w < s.log_probs.cols(); ++w)
      if (choosable(w, tokens) && (s.word < 0 || s.log_probs(0, w) > s.log_probs(0, s.word))) s.word = w;
    r.score += s.log_probs(0, s.word);
    s.score = r.score;
    r.words.push_back(s.word);
    r.finished = s.word == tokens.eos;
    r.steps.push_back(std::move(s));
  }
  return r;
}

BeamResult beam_search(Transformer& model, const std::vector<int>& src, const SpecialIds& tokens,
                       const DecodeOptions& o) {
  validate(model.config(), o);
  const int budget = token_budget(model.config(), o);
  Trace scratch;
  BeamResult r;
  std::vector<Hypothesis> beams(1);  // the empty hypothesis: prefix <bos>
  for (int length = 0; length < budget; ++length) {
    BeamStep step;
    step.beams = beams;
    for (int b = 0; b < static_cast<int>(beams.size()); ++b) {
      const Hypothesis& h = beams[static_cast<std::size_t>(b)];
      if (h.finished) {
        step.candidates.push_back({b, -1, 0, h.score, true, false});
        continue;
      }
      const Mat log_p = next_word_log_probs(model, src, prefix_of(h.words, tokens), tokens.pad, o.temperature, scratch);
      for (int w = 0; w < log_p.cols(); ++w)
        if (choosable(w, tokens))
          step.candidates.push_back({b, w, log_p(0, w), h.score + log_p(0, w), w == tokens.eos, false});
    }
    // Best first: by score, then by the word's own log-prob (so one beam ranks exactly as
    // greedy does even where adding the parent's score rounds two values together); stable, so
    // remaining ties keep the order of (parent, word).
    std::stable_sort(step.candidates.begin(), step.candidates.end(),
                     [](const BeamCandidate& a, const BeamCandidate& b) {
                       return a.score > b.score || (a.score == b.score && a.log_prob > b.log_prob);
                     });
    const std::size_t keep = std::min(step.candidates.size(), static_cast<std::size_t>(o.beam));
    for (std::size_t c = 0; c < keep; ++c) {
      BeamCandidate& cand = step.candidates[c];
      cand.kept = true;
      Hypothesis h = beams[static_cast<std::size_t>(cand.parent)];
      if (cand.word >= 0) h.words.push_back(cand.word);
      h.score = cand.score;
      h.finished = cand.finished;
      step.kept.push_back(std::move(h));
    }
    beams = step.kept;
    r.steps.push_back(std::move(step));
    if (std::all_of(beams.begin(), beams.end(), [](const Hypothesis& h) { return h.finished; })) break;
  }
  r.best = beams.front();
  return r;
}

}  // namespace attnviz::analysis

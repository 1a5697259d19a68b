// The output distribution at a temperature, greedy decoding and beam search.

// GCC 12 warns that '__Y' is used uninitialized inside its own AVX-512 intrinsics, as Eigen's
// vectorised exp inlines them here: a false positive (GCC bug 105593), silenced in this file.
#pragma GCC diagnostic ignored "-Wuninitialized"

#include "model/analysis/decoding.h"
#include "model/analysis/output.h"
#include "model/error.h"
#include "model/presets.h"
#include "model/session.h"
#include "model/vocabulary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace attnviz::analysis {
namespace {

const SpecialIds builtin;  // the special tokens of the presets' vocabularies: <pad> 0, <bos> 1, <eos> 2

TEST(OutputDistribution, TemperatureOneIsTheTracesProbabilities) {
  const Session session(make_preset("lesson"));
  const Trace& trace = session.trace();
  const OutputDistribution d = output_distribution(trace, 1.0);
  const Mat& probs = trace.value(*trace.find(names::probs));
  ASSERT_EQ(d.probs.rows(), probs.rows());
  ASSERT_EQ(d.probs.cols(), probs.cols());
  EXPECT_LE((d.probs - probs).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_EQ(d.expected, session.example().tgt_out);
}

// The mean of the per-position losses over the non-padding targets is the trace's loss.
TEST(OutputDistribution, PositionLossesAverageToTheLoss) {
  Session session(make_preset("lesson"));
  session.set_sentences(session.src_text(), session.tgt_text(), 2);
  const OutputDistribution d = output_distribution(session.trace(), 1.0);
  double sum = 0;
  int n = 0;
  for (std::size_t t = 0; t < d.expected.size(); ++t) {
    if (d.expected[t] == builtin.pad) {
      EXPECT_EQ(d.loss(static_cast<Eigen::Index>(t), 0), 0);
      continue;
    }
    EXPECT_NEAR(d.loss(static_cast<Eigen::Index>(t), 0),
                -std::log(d.probs(static_cast<Eigen::Index>(t), d.expected[t])), 1e-12);
    sum += d.loss(static_cast<Eigen::Index>(t), 0);
    ++n;
  }
  EXPECT_EQ(n, 6);
  EXPECT_NEAR(sum / n, session.trace().loss(), 1e-12);
}

// Lower temperature sharpens every row (its largest probability grows), higher flattens it,
// and as T → 0 the row tends to one-hot at the argmax.
TEST(OutputDistribution, LowTemperatureSharpensHighFlattens) {
  const Session session(make_preset("lesson"));
  const Mat cold = output_distribution(session.trace(), 0.5).probs;
  const Mat one = output_distribution(session.trace(), 1.0).probs;
  const Mat hot = output_distribution(session.trace(), 2.0).probs;
  const Mat frozen = output_distribution(session.trace(), 1e-4).probs;
  for (Eigen::Index t = 0; t < one.rows(); ++t) {
    EXPECT_GT(cold.row(t).maxCoeff(), one.row(t).maxCoeff()) << t;
    EXPECT_GT(one.row(t).maxCoeff(), hot.row(t).maxCoeff()) << t;
    EXPECT_NEAR(frozen.row(t).maxCoeff(), 1.0, 1e-9) << t;
    EXPECT_EQ(top_k(frozen, static_cast<int>(t), 1), top_k(one, static_cast<int>(t), 1));
    EXPECT_NEAR(cold.row(t).sum(), 1.0, 1e-12);
    EXPECT_NEAR(hot.row(t).sum(), 1.0, 1e-12);
  }
}

TEST(OutputDistribution, TopKIsSortedByProbability) {
  Mat P(1, 5);
  P << 0.1, 0.3, 0.1, 0.4, 0.1;
  EXPECT_EQ(top_k(P, 0, 3), (std::vector<int>{3, 1, 0}));
  EXPECT_EQ(top_k(P, 0, 9).size(), 5u);
  EXPECT_THROW(top_k(P, 1, 2), InputError);
}

TEST(OutputDistribution, RejectsANonPositiveTemperature) {
  const Session session(make_preset("lesson"));
  for (double T : {0.0, -1.0, std::nan("")}) {
    try {
      output_distribution(session.trace(), T);
      ADD_FAILURE() << "temperature " << T << " accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("temperature"), std::string::npos) << e.what();
    }
  }
}

// ln P of each word of `words` given the words before it, read from an independent teacher-forced
// forward pass: tgt_in = <bos> + words[0 … n−2], tgt_out = words, probabilities from the trace's
// cross-entropy.
std::vector<double> teacher_forced_log_probs(Transformer& model, const std::vector<int>& src,
                                             const std::vector<int>& words) {
  Example ex;
  ex.src = src;
  ex.tgt_in.push_back(builtin.bos);
  ex.tgt_in.insert(ex.tgt_in.end(), words.begin(), words.end() - 1);
  ex.tgt_out = words;
  Trace trace;
  run_forward(model, ex, trace);
  const Mat& P = trace.value(*trace.find(names::probs));
  std::vector<double> out;
  for (std::size_t t = 0; t < words.size(); ++t) out.push_back(std::log(P(static_cast<Eigen::Index>(t), words[t])));
  return out;
}

struct Model {
  Preset preset;
  Transformer model;
  std::vector<int> src;
  SpecialIds tokens;
  Model(const std::string& name, std::uint64_t seed, int pad = 0)
      : preset(make_preset(name)),
        model(preset.config, seed),
        src(make_example(preset.config, preset.src_vocab, preset.tgt_vocab, preset.src_text, preset.tgt_text, pad).src),
        tokens(preset.tgt_vocab.specials()) {}
};

// Each greedy step's distribution is the one a teacher-forced run on the final output gives at
// that position (the look-ahead mask makes position t see only the prefix), and each chosen
// word is that distribution's argmax over the words that may be chosen.
TEST(GreedyDecoding, FeedsTheModelItsOwnOutputs) {
  Model m("lesson", 0);
  const GreedyResult g = greedy_decode(m.model, m.src, m.tokens, {});
  ASSERT_FALSE(g.words.empty());
  ASSERT_EQ(g.steps.size(), g.words.size());
  EXPECT_LE(static_cast<int>(g.words.size()), m.preset.config.max_len);
  EXPECT_TRUE(g.finished || static_cast<int>(g.words.size()) == m.preset.config.max_len);
  const std::vector<double> lp = teacher_forced_log_probs(m.model, m.src, g.words);
  double score = 0;
  for (std::size_t t = 0; t < g.steps.size(); ++t) {
    const GreedyStep& s = g.steps[t];
    EXPECT_EQ(s.prefix.size(), t + 1);
    EXPECT_EQ(s.prefix.front(), builtin.bos);
    EXPECT_NEAR(s.log_probs(0, s.word), lp[t], 1e-12);
    for (int w = 0; w < s.log_probs.cols(); ++w)
      if (w != builtin.pad && w != builtin.bos) {
        EXPECT_GE(s.log_probs(0, s.word), s.log_probs(0, w));
      }
    EXPECT_NEAR(s.log_probs.array().exp().sum(), 1.0, 1e-12);
    score += lp[t];
    EXPECT_NEAR(s.score, score, 1e-12);
  }
  EXPECT_NEAR(g.score, score, 1e-12);
}

TEST(BeamSearch, BeamOfOneIsGreedy) {
  for (const char* preset : {"lesson", "small"})
    for (std::uint64_t seed : {0u, 1u, 2u, 7u})
      for (double T : {1.0, 0.7}) {
        Model m(preset, seed, seed == 7 && std::string(preset) == "lesson" ? 2 : 0);
        const DecodeOptions o{.beam = 1, .temperature = T};
        const GreedyResult g = greedy_decode(m.model, m.src, m.tokens, o);
        const BeamResult b = beam_search(m.model, m.src, m.tokens, o);
        EXPECT_EQ(b.best.words, g.words) << preset << " seed " << seed;
        EXPECT_EQ(b.best.score, g.score) << preset << " seed " << seed;
        EXPECT_EQ(b.best.finished, g.finished);
        ASSERT_EQ(b.steps.size(), g.steps.size());
        for (std::size_t t = 0; t < g.steps.size(); ++t) EXPECT_EQ(b.steps[t].kept.front().words.back(), g.words[t]);
      }
}

// Every kept hypothesis's score is the sum of its words' log-probs, recomputed by an independent
// teacher-forced pass; candidates are sorted and the kept ones are the best `beam`.
TEST(BeamSearch, ScoresAreSumsOfTheWordsLogProbs) {
  for (std::uint64_t seed : {0u, 3u}) {
    Model m("lesson", seed);
    const BeamResult b = beam_search(m.model, m.src, m.tokens, {.beam = 2, .max_tokens = 6});
    ASSERT_FALSE(b.steps.empty());
    EXPECT_LE(b.steps.size(), 6u);
    EXPECT_EQ(b.steps.front().beams.size(), 1u);
    EXPECT_EQ(b.steps.front().candidates.size(), static_cast<std::size_t>(m.preset.config.tgt_vocab - 2));
    for (std::size_t s = 0; s < b.steps.size(); ++s) {
      const BeamStep& step = b.steps[s];
      ASSERT_EQ(step.kept.size(), 2u);
      for (std::size_t c = 0; c < step.candidates.size(); ++c) {
        EXPECT_EQ(step.candidates[c].kept, c < 2);
        if (c > 0) {
          EXPECT_GE(step.candidates[c - 1].score, step.candidates[c].score);
        }
        const BeamCandidate& cand = step.candidates[c];
        EXPECT_NEAR(cand.score, step.beams[static_cast<std::size_t>(cand.parent)].score + cand.log_prob, 1e-12);
      }
      for (const Hypothesis& h : step.kept) {
        const std::vector<double> lp = teacher_forced_log_probs(m.model, m.src, h.words);
        double sum = 0;
        for (double v : lp) sum += v;
        EXPECT_NEAR(h.score, sum, 1e-10) << "step " << s;
        EXPECT_EQ(h.finished, h.words.back() == builtin.eos);
        if (!h.finished) {
          EXPECT_EQ(h.words.size(), s + 1);
        }
      }
      if (s + 1 < b.steps.size()) {
        EXPECT_EQ(b.steps[s + 1].beams.size(), step.kept.size());
        for (std::size_t k = 0; k < step.kept.size(); ++k) EXPECT_EQ(b.steps[s + 1].beams[k].words, step.kept[k].words);
      }
    }
    EXPECT_EQ(b.best.words, b.steps.back().kept.front().words);
  }
}

// A finished hypothesis is carried over unchanged; the search stops once every kept one is.
TEST(BeamSearch, StopsWhenEveryKeptHypothesisEndsWithEos) {
  int finished_runs = 0;
  for (std::uint64_t seed = 0; seed < 12; ++seed) {
    Model m("lesson", seed);
    const BeamResult b = beam_search(m.model, m.src, m.tokens, {.beam = 2});
    bool all_finished = true;
    for (const Hypothesis& h : b.steps.back().kept) all_finished &= h.finished;
    if (all_finished) {
      ++finished_runs;
      EXPECT_LE(static_cast<int>(b.steps.size()), m.preset.config.max_len);
    } else {
      EXPECT_EQ(static_cast<int>(b.steps.size()), m.preset.config.max_len);
    }
    for (const BeamStep& step : b.steps)
      for (const BeamCandidate& c : step.candidates)
        if (c.word < 0) {
          EXPECT_TRUE(step.beams[static_cast<std::size_t>(c.parent)].finished);
          EXPECT_EQ(c.score, step.beams[static_cast<std::size_t>(c.parent)].score);
        }
  }
  EXPECT_GT(finished_runs, 0);  // both ways of stopping are exercised
  EXPECT_LT(finished_runs, 12);
}

TEST(Decoding, RejectsBadOptionsNamingFieldAndValue) {
  Model m("lesson", 0);
  const auto expect_message = [&](const DecodeOptions& o, const std::string& text) {
    try {
      beam_search(m.model, m.src, m.tokens, o);
      ADD_FAILURE() << text << " accepted";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_message({.beam = 0}, "beam: 0");
  expect_message({.beam = 65}, "beam: 65");
  expect_message({.max_tokens = 17}, "max_tokens: 17");
  expect_message({.max_tokens = -1}, "max_tokens: -1");
  expect_message({.temperature = 0}, "temperature: 0");
  EXPECT_THROW(greedy_decode(m.model, {4, 99}, m.tokens, {}), InputError);
  EXPECT_THROW(greedy_decode(m.model, {}, m.tokens, {}), InputError);
}

}  // namespace
}  // namespace attnviz::analysis

// attnviz decode [session options] [--beam K] [--max-tokens N] [--temperature T] [--json]
//   greedy decoding and beam search on the model's own outputs, step by step

#include "app/commands.h"
#include "app/session_options.h"
#include "model/analysis/decoding.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace attnviz::app {

namespace {

using Json = nlohmann::ordered_json;
using namespace attnviz::analysis;

struct DecodeCommandOptions {
  SessionOptions session;
  DecodeOptions decode;
  int show = 5;  // candidates printed per step (text output)
  bool json = false;
};

std::vector<std::string> words_of(const Vocabulary& vocab, const std::vector<int>& ids) {
  std::vector<std::string> words;
  for (int id : ids) words.push_back(vocab.word(id));
  return words;
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : " ") + w;
  return s;
}

Json greedy_json(const GreedyResult& g, const Vocabulary& vocab) {
  Json steps = Json::array();
  for (const GreedyStep& s : g.steps)
    steps.push_back({{"prefix", words_of(vocab, s.prefix)},
                     {"word", vocab.word(s.word)},
                     {"log_prob", s.log_probs(0, s.word)},
                     {"score", s.score}});
  return {{"words", words_of(vocab, g.words)}, {"score", g.score}, {"finished", g.finished}, {"steps", steps}};
}

Json hypothesis_json(const Hypothesis& h, const Vocabulary& vocab) {
  return {{"words", words_of(vocab, h.words)}, {"score", h.score}, {"finished", h.finished}};
}

Json beam_json(const BeamResult& b, const Vocabulary& vocab) {
  Json steps = Json::array();
  for (const BeamStep& s : b.steps) {
    Json beams = Json::array(), candidates = Json::array(), kept = Json::array();
    for (const Hypothesis& h : s.beams) beams.push_back(hypothesis_json(h, vocab));
    for (const BeamCandidate& c : s.candidates)
      candidates.push_back({{"parent", c.parent},
                            {"word", c.word < 0 ? Json(nullptr) : Json(vocab.word(c.word))},
                            {"log_prob", c.log_prob},
                            {"score", c.score},
                            {"finished", c.finished},
                            {"kept", c.kept}});
    for (const Hypothesis& h : s.kept) kept.push_back(hypothesis_json(h, vocab));
    steps.push_back({{"beams", beams}, {"candidates", candidates}, {"kept", kept}});
  }
  return {{"best", hypothesis_json(b.best, vocab)}, {"steps", steps}};
}

void print_text(const Session& session, const DecodeCommandOptions& o, const GreedyResult& g, const BeamResult& b) {
  const Vocabulary& vocab = session.preset().tgt_vocab;
  std::printf("source: %s\n", joined(session.src_words()).c_str());
  std::printf("\ngreedy (temperature %g): the most probable word at each step, fed back in\n", o.decode.temperature);
  for (std::size_t t = 0; t < g.steps.size(); ++t) {
    const GreedyStep& s = g.steps[t];
    std::printf("  %2zu  ln P %9.5f  score %9.5f   %s → %s\n", t + 1, s.log_probs(0, s.word), s.score,
                joined(words_of(vocab, s.prefix)).c_str(), vocab.word(s.word).c_str());
  }
  std::printf("  result: %s   score %.6f%s\n", joined(words_of(vocab, g.words)).c_str(), g.score,
              g.finished ? "" : "   (no <eos> within the length limit)");

  std::printf("\nbeam search (beam %d): every extension scored by Σ ln P, the best %d kept (*)\n", o.decode.beam,
              o.decode.beam);
  for (std::size_t t = 0; t < b.steps.size(); ++t) {
    const BeamStep& s = b.steps[t];
    std::printf("  step %zu: %zu candidates\n", t + 1, s.candidates.size());
    const std::size_t shown = std::min(s.candidates.size(), static_cast<std::size_t>(std::max(o.show, o.decode.beam)));
    for (std::size_t c = 0; c < shown; ++c) {
      const BeamCandidate& cand = s.candidates[c];
      std::vector<int> words = s.beams[static_cast<std::size_t>(cand.parent)].words;
      if (cand.word >= 0) words.push_back(cand.word);
      std::printf("    %c %10.5f   %s%s\n", cand.kept ? '*' : ' ', cand.score, joined(words_of(vocab, words)).c_str(),
                  cand.word < 0 ? "   (finished, carried over)" : "");
    }
  }
  std::printf("  result: %s   score %.6f\n", joined(words_of(vocab, b.best.words)).c_str(), b.best.score);
}

}  // namespace

void add_decode_command(CLI::App& cli) {
  auto options = std::make_shared<DecodeCommandOptions>();
  CLI::App* cmd =
      cli.add_subcommand("decode", "Greedy decoding and beam search, step by step, on the model's own outputs");
  add_session_options(*cmd, options->session);
  cmd->add_option("--beam", options->decode.beam, "Hypotheses kept per step of beam search (1 … 64)")
      ->capture_default_str();
  cmd->add_option("--max-tokens", options->decode.max_tokens, "Words generated at most, <eos> included (0: max_len)")
      ->capture_default_str();
  cmd->add_option("--temperature", options->decode.temperature, "ln P = log softmax(z / T)")->capture_default_str();
  cmd->add_option("--show", options->show, "Candidates printed per beam step (text output)")->capture_default_str();
  cmd->add_flag("--json", options->json, "Print every step as JSON");
  cmd->callback([options] {
    run_command([&] {
      Session session = make_session(options->session);
      const DecodeOptions& d = options->decode;
      const SpecialIds& tokens = session.preset().tgt_vocab.specials();
      const GreedyResult g = greedy_decode(session.model(), session.example().src, tokens, d);
      const BeamResult b = beam_search(session.model(), session.example().src, tokens, d);
      if (!options->json) {
        print_text(session, *options, g, b);
        return;
      }
      const Vocabulary& vocab = session.preset().tgt_vocab;
      const Json j = {{"preset", session.preset().name},
                      {"src_words", session.src_words()},
                      {"temperature", d.temperature},
                      {"beam", d.beam},
                      {"max_tokens", d.max_tokens == 0 ? session.config().max_len : d.max_tokens},
                      {"greedy", greedy_json(g, vocab)},
                      {"beam_search", beam_json(b, vocab)}};
      std::cout << j.dump(1) << "\n";
    });
  });
}

}  // namespace attnviz::app

#include "model/analysis/why_attention.h"

#include "model/session.h"
#include "model/trainer.h"

#include <algorithm>
#include <map>
#include <sstream>

namespace attnviz::analysis {

namespace {

int word_count(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  int n = 0;
  while (in >> word) ++n;
  return n;
}

}  // namespace

std::vector<SentencePair> held_out_pairs(const Lesson& lesson) {
  std::vector<SentencePair> train, held;
  split_pairs(make_pairs(lesson.task, lesson.task.seed), lesson.task.held_out, lesson.task.seed, train, held);
  return held;
}

std::vector<int> source_lengths(const std::vector<SentencePair>& pairs) {
  std::vector<int> lengths;
  for (const SentencePair& p : pairs) lengths.push_back(word_count(p.src));
  std::sort(lengths.begin(), lengths.end());
  lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
  return lengths;
}

double source_token_gradient(const Trace& trace, bool last) {
  const Mat* found = nullptr;
  for (int s = 0; s < trace.forward_count(); ++s) {
    const Step& step = trace.step(s);
    if (step.op != OpKind::embedding || step.where.stack != Stack::encoder) continue;
    found = &trace.grad(step.outputs.front());
    if (!last) break;
  }
  if (!found) return 0;
  return found->row(last ? found->rows() - 1 : 0).norm();
}

ModelFigures measure(const Lesson& lesson, Transformer& model, const std::vector<SentencePair>& held,
                     const std::vector<int>& lengths, const SentencePair& probe) {
  ModelFigures f;
  f.name = to_string(lesson.config.architecture);
  std::map<int, std::pair<double, int>> by_length;  // correct, tokens
  Trace trace;
  for (const SentencePair& pair : held) {
    const Example ex = encode_pair(lesson.config, lesson.src_vocab, lesson.tgt_vocab, pair);
    run_forward(model, ex, trace);
    const Mat& probs = trace.value(trace.step(trace.forward_count() - 1).outputs[1]);  // (T_tgt, V)
    auto& [correct, tokens] = by_length[word_count(pair.src)];
    for (std::size_t t = 0; t < ex.tgt_out.size(); ++t) {
      Eigen::Index best = 0;
      probs.row(static_cast<Eigen::Index>(t)).maxCoeff(&best);
      correct += best == ex.tgt_out[t];
      tokens += 1;
    }
  }
  for (int n : lengths) {
    const auto [correct, tokens] = by_length[n];
    f.accuracy.push_back(tokens > 0 ? correct / tokens : 0);
    f.tokens.push_back(tokens);
  }
  run_forward(model, encode_pair(lesson.config, lesson.src_vocab, lesson.tgt_vocab, probe), trace);
  run_backward(trace);
  f.first_token_grad = source_token_gradient(trace, false);
  f.last_token_grad = source_token_gradient(trace, true);
  return f;
}

}  // namespace attnviz::analysis

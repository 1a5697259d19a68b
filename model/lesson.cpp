#include "model/lesson.h"

#include "model/error.h"
#include "model/parameters.h"
#include "model/quote.h"
#include "model/translatable.h"

#include <algorithm>
#include <cmath>

namespace attnviz {

std::vector<std::string> task_generators() { return {"word_order", "reverse", "copy"}; }

namespace {

// The last code point of a UTF-8 word (0 when empty or malformed).
char32_t last_code_point(const std::string& word) {
  std::size_t i = word.size();
  while (i > 0 && (static_cast<unsigned char>(word[i - 1]) & 0xC0) == 0x80) --i;
  if (i == 0) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(word.data()) + (i - 1);
  const std::size_t n = word.size() - (i - 1);
  if (n == 1) return p[0];
  if (n == 2) return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
  if (n == 3) return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
  return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
}

// A Hangul syllable U+AC00…U+D7A3 has a final consonant when (code − 0xAC00) mod 28 ≠ 0.
bool ends_in_consonant(const std::string& word) {
  const char32_t c = last_code_point(word);
  return c >= 0xAC00 && c <= 0xD7A3 && (c - 0xAC00) % 28 != 0;
}

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) {
    if (!s.empty()) s += ' ';
    s += w;
  }
  return s;
}

std::vector<SentencePair> word_order_pairs(const Task& t) {
  if (t.nouns.size() < 2)
    throw InputError(N_("%s: %s nouns, need at least 2"), {"task.nouns", std::to_string(t.nouns.size())});
  if (t.verbs.empty()) throw InputError(N_("%s: need at least one verb"), {"task.verbs"});
  const double count = double(t.nouns.size()) * double(t.nouns.size() - 1) * double(t.verbs.size());
  if (count > 100000)
    throw InputError(N_("%s: %s nouns and %s verbs make more than 100000 sentences"),
                     {"task.nouns", std::to_string(t.nouns.size()), std::to_string(t.verbs.size())});
  std::vector<SentencePair> pairs;
  for (const auto& [s_en, s_ko] : t.nouns)
    for (const auto& [v_en, v_ko] : t.verbs)
      for (const auto& [o_en, o_ko] : t.nouns) {
        if (s_en == o_en) continue;
        const char* topic = ends_in_consonant(s_ko) ? "은" : "는";
        const char* object = ends_in_consonant(o_ko) ? "을" : "를";
        pairs.push_back(
            {"the " + s_en + " " + v_en + " the " + o_en, s_ko + " " + topic + " " + o_ko + " " + object + " " + v_ko});
      }
  return pairs;
}

std::vector<SentencePair> digit_pairs(const Task& t, bool reverse, std::uint64_t seed) {
  if (t.count < 1 || t.count > 100000)
    throw InputError(N_("%s: must be in 1…100000"), {"task.count = " + std::to_string(t.count)});
  if (t.min_length < 1)
    throw InputError(N_("%s: must be at least 1"), {"task.min_length = " + std::to_string(t.min_length)});
  if (t.max_length < t.min_length || t.max_length > 1000)
    throw InputError(N_("%s: must be in min_length…1000"), {"task.max_length = " + std::to_string(t.max_length)});
  if (double(t.count) * t.max_length > 1e6)
    throw InputError(N_("%s: count × max_length must be at most 1000000"), {"task.count = " + std::to_string(t.count)});
  Random random(seed);
  std::vector<SentencePair> pairs;
  for (int i = 0; i < t.count; ++i) {
    const int span = t.max_length - t.min_length + 1;
    const int n = t.min_length + std::min(span - 1, static_cast<int>(random.uniform() * span));
    std::vector<std::string> digits;
    for (int k = 0; k < n; ++k) digits.push_back(std::to_string(std::min(9, static_cast<int>(random.uniform() * 10))));
    std::vector<std::string> out = digits;
    if (reverse) std::reverse(out.begin(), out.end());
    pairs.push_back({join(digits), join(out)});
  }
  return pairs;
}

}  // namespace

std::vector<SentencePair> make_pairs(const Task& task, std::uint64_t seed) {
  if (task.generator.empty()) {
    if (task.pairs.empty()) throw InputError(N_("%s: no sentence pairs"), {"task.pairs"});
    return task.pairs;
  }
  if (task.generator == "word_order") return word_order_pairs(task);
  if (task.generator == "reverse") return digit_pairs(task, true, seed);
  if (task.generator == "copy") return digit_pairs(task, false, seed);
  throw InputError(N_("%s: not one of word_order, reverse, copy"), {"task.generator = " + quote(task.generator)});
}

void split_pairs(const std::vector<SentencePair>& pairs, double held_out, std::uint64_t seed,
                 std::vector<SentencePair>& train, std::vector<SentencePair>& held) {
  // Groups of pairs whose sources hold the same words in any order ("the prince saw the queen"
  // and "the queen saw the prince"), in order of first appearance.
  std::vector<std::vector<std::size_t>> groups;
  std::map<std::vector<std::string>, std::size_t> group_of;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    std::vector<std::string> bag = split_words(pairs[i].src);
    std::sort(bag.begin(), bag.end());
    auto [it, added] = group_of.emplace(std::move(bag), groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  Random random(seed ^ 0x5eed5a17ULL);
  for (std::size_t i = groups.size(); i > 1; --i) {  // Fisher–Yates with the platform-fixed generator
    const std::size_t j = std::min(i - 1, static_cast<std::size_t>(random.uniform() * static_cast<double>(i)));
    std::swap(groups[i - 1], groups[j]);
  }
  std::size_t n_held = static_cast<std::size_t>(std::lround(held_out * static_cast<double>(pairs.size())));
  if (held_out > 0 && n_held == 0 && pairs.size() >= 2) n_held = 1;
  train.clear();
  held.clear();
  std::size_t g = groups.size();
  while (g > 1 && held.size() < n_held) {
    --g;
    for (std::size_t i : groups[g]) held.push_back(pairs[i]);
  }
  for (std::size_t k = 0; k < g; ++k)
    for (std::size_t i : groups[k]) train.push_back(pairs[i]);
}

namespace {

void check_words(const Vocabulary& vocab, const std::string& sentence, const std::string& field) {
  std::vector<std::string> unknown;
  vocab.encode(sentence, &unknown);
  if (!unknown.empty())
    throw InputError(N_("%s: %s is not in the vocabulary (\"%s\")"),
                     {field, quote(unknown.front()), printable(sentence, 80)});
  if (split_words(sentence).empty()) throw InputError(N_("%s: the sentence is empty"), {field});
}

void check_length(const Lesson& l, const SentencePair& p, const std::string& field) {
  const bool wraps = l.src_vocab.wraps();
  const std::size_t src = split_words(p.src).size() + (wraps ? 2 : 0), tgt = split_words(p.tgt).size() + 1;
  if (static_cast<int>(src) > l.config.max_len)
    throw InputError(wraps ? N_("%s.src: %s tokens with <bos> and <eos> is longer than config.max_len = %s")
                           : N_("%s.src: %s words is longer than config.max_len = %s"),
                     {field, std::to_string(src), std::to_string(l.config.max_len)});
  if (static_cast<int>(tgt) > l.config.max_len)
    throw InputError(N_("%s.tgt: %s tokens with <bos> is longer than config.max_len = %s"),
                     {field, std::to_string(tgt), std::to_string(l.config.max_len)});
}

// Text a lesson shows or prints holds no control character, escape or malformed UTF-8.
void check_plain(const std::string& text, const std::string& field, bool lines = false) {
  if (!is_plain_text(text, lines))
    throw InputError(N_("%s: control characters and malformed UTF-8 are not allowed"), {field + " = " + quote(text)});
}

void check_plain_words(const Vocabulary& vocab, const std::string& field) {
  for (const std::string& word : vocab.words()) check_plain(word, field);
}

// The pair as the model gets it (make_example): the special tokens it adds are not in it already.
void check_example(const Lesson& l, const SentencePair& p, const std::string& field) {
  try {
    make_example(l.config, l.src_vocab, l.tgt_vocab, p.src, p.tgt);
  } catch (const InputError& e) {
    throw within(field, e);
  }
}

void check_reference(const Lesson& l) {
  const Reference& r = *l.reference;
  if (l.weights.empty())
    throw InputError(N_("%s: the lesson has no weights, and a reference is the answer of trained weights"),
                     {"reference"});
  if (!std::isfinite(r.loss)) throw InputError(N_("%s: must be finite"), {"reference.loss"});
  const Example ex = make_example(l.config, l.src_vocab, l.tgt_vocab, l.example.src, l.example.tgt);
  if (r.logits.rows() != static_cast<Eigen::Index>(ex.tgt_in.size()) || r.logits.cols() != l.config.tgt_vocab)
    throw InputError(N_("%s: %s × %s, the example needs %s × %s (target tokens with <bos> × target vocabulary)"),
                     {"reference.logits", std::to_string(r.logits.rows()), std::to_string(r.logits.cols()),
                      std::to_string(ex.tgt_in.size()), std::to_string(l.config.tgt_vocab)});
}

}  // namespace

Lesson with_model(const Lesson& lesson, const ComparedModel& model) {
  Lesson l = lesson;
  l.config = model.config;
  l.training = model.training;
  l.weights = model.weights;
  l.compare.clear();
  l.reference.reset();
  return l;
}

namespace {

// The words a lesson shows: its title, description, vocabularies and position names.
void check_texts(const Lesson& l) {
  if (l.title.en.empty()) throw InputError(N_("%s: must not be empty"), {"title"});
  check_plain(l.title.en, "title");
  check_plain(l.title.ko, "title.ko");
  check_plain(l.description.en, "description", true);
  check_plain(l.description.ko, "description.ko", true);
  check_plain_words(l.src_vocab, "vocabulary.source");
  check_plain_words(l.tgt_vocab, "vocabulary.target");
  for (std::size_t i = 0; i < l.task.position_names.size(); ++i)
    check_plain(l.task.position_names[i], "task.position_names[" + std::to_string(i) + "]");
}

// The config's vocabulary sizes are the vocabularies', and one padding id serves both.
void check_vocabularies(const Lesson& l) {
  if (l.config.src_vocab != l.src_vocab.size())
    throw InputError(N_("%s: the source vocabulary has %s tokens"),
                     {"config.src_vocab = " + std::to_string(l.config.src_vocab), std::to_string(l.src_vocab.size())});
  if (l.config.tgt_vocab != l.tgt_vocab.size())
    throw InputError(N_("%s: the target vocabulary has %s tokens"),
                     {"config.tgt_vocab = " + std::to_string(l.config.tgt_vocab), std::to_string(l.tgt_vocab.size())});
  if (l.src_vocab.pad() != l.tgt_vocab.pad())
    throw InputError(N_("%s: id %s in the source vocabulary, %s in the target: one padding id serves both"),
                     {"specials.pad", std::to_string(l.src_vocab.pad()), std::to_string(l.tgt_vocab.pad())});
}

// Each compared model has a valid config and an architecture of its own.
void check_compare(const Lesson& l) {
  for (std::size_t i = 0; i < l.compare.size(); ++i) {
    const std::string field = "compare[" + std::to_string(i) + "]";
    try {
      validate(l.compare[i].config);
    } catch (const InputError& e) {
      throw within(field, e, ".");
    }
    const char* name = l.compare[i].name();
    const std::string architecture = field + ".config.architecture = " + name;
    if (name == std::string(to_string(l.config.architecture)))
      throw InputError(N_("%s: the lesson's own model is one already"), {architecture});
    for (std::size_t j = 0; j < i; ++j)
      if (name == std::string(l.compare[j].name()))
        throw InputError(N_("%s: %s is one already"), {architecture, "compare[" + std::to_string(j) + "]"});
  }
}

// Every sentence pair of the task is in the vocabularies and fits max_len.
void check_task(const Lesson& l) {
  if (!(l.task.held_out >= 0 && l.task.held_out < 1))
    throw InputError(N_("%s: must be in [0, 1)"), {"task.held_out = " + std::to_string(l.task.held_out)});
  const std::vector<SentencePair> pairs =
      l.task.empty() ? std::vector<SentencePair>{} : make_pairs(l.task, l.task.seed);
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const std::string field = "task.pairs[" + std::to_string(i) + "]";
    check_words(l.src_vocab, pairs[i].src, field + ".src");
    check_words(l.tgt_vocab, pairs[i].tgt, field + ".tgt");
    check_length(l, pairs[i], field);
    check_example(l, pairs[i], field);
  }
}

// The fixed attention's weights: W_Q and W_V (d_x, ·), W_K the shape of W_Q, for X (n, d_x).
void check_attention(const FixedAttention& a) {
  if (a.empty()) return;
  const auto shape = [](const Mat& m) {
    return "(" + std::to_string(m.rows()) + ", " + std::to_string(m.cols()) + ")";
  };
  const std::string rows = std::to_string(a.X.cols());
  if (a.W_Q.rows() != a.X.cols())
    throw InputError(N_("%s: %s needs %s rows, one per column of X"), {"attention.W_Q", shape(a.W_Q), rows});
  if (a.W_K.rows() != a.X.cols() || a.W_K.cols() != a.W_Q.cols())
    throw InputError(N_("%s: %s must have the shape of W_Q %s"), {"attention.W_K", shape(a.W_K), shape(a.W_Q)});
  if (a.W_V.rows() != a.X.cols())
    throw InputError(N_("%s: %s needs %s rows, one per column of X"), {"attention.W_V", shape(a.W_V), rows});
}

void check_training(const TrainingSettings& t) {
  if (t.steps < 0) throw InputError(N_("%s: must not be negative"), {"training.steps = " + std::to_string(t.steps)});
  if (t.batch_size < 1)
    throw InputError(N_("%s: must be at least 1"), {"training.batch_size = " + std::to_string(t.batch_size)});
  if (!(t.learning_rate > 0) || !std::isfinite(t.learning_rate))
    throw InputError(N_("%s: must be a positive number"),
                     {"training.learning_rate = " + std::to_string(t.learning_rate)});
  if (t.warmup < 0) throw InputError(N_("%s: must not be negative"), {"training.warmup = " + std::to_string(t.warmup)});
  if (t.eval_every < 1)
    throw InputError(N_("%s: must be at least 1"), {"training.eval_every = " + std::to_string(t.eval_every)});
  if (!(t.target_accuracy >= 0 && t.target_accuracy <= 1))
    throw InputError(N_("%s: must be in [0, 1]"), {"training.target_accuracy = " + std::to_string(t.target_accuracy)});
}

}  // namespace

void validate(const Lesson& l) {
  check_texts(l);
  validate(l.config);
  check_vocabularies(l);
  check_words(l.src_vocab, l.example.src, "example.src");
  check_words(l.tgt_vocab, l.example.tgt, "example.tgt");
  check_length(l, l.example, "example");
  check_plain(l.panel, "open.panel");
  check_compare(l);
  check_example(l, l.example, "example");
  if (l.reference) check_reference(l);
  if (l.step < 0) throw InputError(N_("%s: must not be negative"), {"step = " + std::to_string(l.step)});
  check_task(l);
  check_attention(l.attention);
  check_training(l.training);
}

Preset to_preset(const Lesson& l) {
  Preset p;
  p.name = l.title.en;
  p.config = l.config;
  p.src_vocab = l.src_vocab;
  p.tgt_vocab = l.tgt_vocab;
  p.src_text = l.example.src;
  p.tgt_text = l.example.tgt;
  p.attention = l.attention;
  return p;
}

namespace {
Vocabulary vocabulary_of(const std::vector<SentencePair>& pairs, bool source) {
  std::vector<std::string> words;
  for (const SentencePair& p : pairs)
    for (std::string& w : split_words(source ? p.src : p.tgt)) words.push_back(std::move(w));
  return Vocabulary(words);
}
}  // namespace

Vocabulary source_vocabulary(const std::vector<SentencePair>& pairs) { return vocabulary_of(pairs, true); }
Vocabulary target_vocabulary(const std::vector<SentencePair>& pairs) { return vocabulary_of(pairs, false); }

}  // namespace attnviz

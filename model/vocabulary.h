#pragma once
// Word-level tokenizer over a fixed vocabulary, with its special tokens <pad>, <bos>, <eos> and
// <unk>.  Built in, they are ids 0–3 and the words follow; a model trained elsewhere brings its
// own order (torchtext's <unk>=0, <pad>=1, <bos>=2, <eos>=3), kept as given.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attnviz {

// The words that play the special roles in a vocabulary given in its own order.  unk may be
// empty: a vocabulary without <unk> (unknown words are refused anyway).
struct SpecialWords {
  std::string pad = "<pad>", bos = "<bos>", eos = "<eos>", unk = "<unk>";
  bool operator==(const SpecialWords&) const = default;
};

// Their ids in one vocabulary; unk is −1 when it has none.
struct SpecialIds {
  int pad = 0, bos = 1, eos = 2, unk = 3;
  bool operator==(const SpecialIds&) const = default;
};

class Vocabulary {
 public:
  Vocabulary() : Vocabulary(std::vector<std::string>{}) {}
  // The built-in order: <pad> <bos> <eos> <unk> first, then `words` in order (duplicates and
  // special tokens skipped).
  explicit Vocabulary(const std::vector<std::string>& words);
  // The words exactly as given, id = position, the special tokens where `specials` names them.
  // Throws InputError for an empty or repeated word or a special word not in the list.
  static Vocabulary in_order(const std::vector<std::string>& words, const SpecialWords& specials);
  // <pad> <bos> <eos> <unk> w4 w5 … w{size−1}
  static Vocabulary synthetic(int size);

  int size() const { return static_cast<int>(words_.size()); }
  const std::string& word(int id) const;  // "<?>" for an id out of range
  // The word's id; a word not in the vocabulary as written is looked up with A–Z folded to a–z
  // ("Princess" → "princess") unless two vocabulary words fold alike.  unk() when unknown.
  int id(std::string_view word) const;
  bool contains(std::string_view word) const;
  const std::vector<std::string>& words() const { return words_; }

  const SpecialIds& specials() const { return ids_; }
  int pad() const { return ids_.pad; }
  int bos() const { return ids_.bos; }
  int eos() const { return ids_.eos; }
  int unk() const { return ids_.unk; }
  // Given in its own order (in_order), not the built-in one.
  bool own_order() const { return own_order_; }
  // The special words by role, as in_order was given them (the built-in ones otherwise).
  SpecialWords special_words() const;

  // A source sentence becomes <bos> words <eos> (as a PyTorch model trained on wrapped sources
  // expects), not just its words.
  bool wraps() const { return wraps_; }
  void set_wraps(bool wraps) { wraps_ = wraps; }

  // Splits on white space.  Unknown words become unk() and are listed in `unknown` if given.
  std::vector<int> encode(std::string_view sentence, std::vector<std::string>* unknown = nullptr) const;
  std::string decode(const std::vector<int>& ids) const;

  bool operator==(const Vocabulary& o) const {
    return words_ == o.words_ && ids_ == o.ids_ && own_order_ == o.own_order_ && wraps_ == o.wraps_;
  }

 private:
  Vocabulary(std::vector<std::string> words, SpecialIds ids, bool own_order);
  void build_index();

  std::vector<std::string> words_;
  SpecialIds ids_;
  bool own_order_ = false;
  bool wraps_ = false;
  std::unordered_map<std::string, int> index_;
  std::unordered_map<std::string, int> folded_;  // lower-cased word → id, −1 where two words fold alike
};

std::vector<std::string> split_words(std::string_view sentence);

}  // namespace attnviz

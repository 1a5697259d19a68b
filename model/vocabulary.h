#pragma once
// Word-level tokenizer over a fixed vocabulary.  Ids 0–3 are <pad>, <bos>, <eos>, <unk>.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attnviz {

class Vocabulary {
 public:
  static constexpr int pad = 0, bos = 1, eos = 2, unk = 3;

  Vocabulary() : Vocabulary(std::vector<std::string>{}) {}
  // The special tokens first, then `words` in order (duplicates and specials skipped).
  explicit Vocabulary(const std::vector<std::string>& words);
  // <pad> <bos> <eos> <unk> w4 w5 … w{size−1}
  static Vocabulary synthetic(int size);

  int size() const { return static_cast<int>(words_.size()); }
  const std::string& word(int id) const;   // "<?>" for an id out of range
  // The word's id; a word not in the vocabulary as written is looked up with A–Z folded to a–z
  // ("Princess" → "princess") unless two vocabulary words fold alike.  unk when unknown.
  int id(std::string_view word) const;
  bool contains(std::string_view word) const { return id(word) != unk || word == "<unk>"; }
  const std::vector<std::string>& words() const { return words_; }

  // Splits on white space.  Unknown words become <unk> and are listed in `unknown` if given.
  std::vector<int> encode(std::string_view sentence, std::vector<std::string>* unknown = nullptr) const;
  std::string decode(const std::vector<int>& ids) const;

 private:
  std::vector<std::string> words_;
  std::unordered_map<std::string, int> index_;
  std::unordered_map<std::string, int> folded_;  // lower-cased word → id, −1 where two words fold alike
};

std::vector<std::string> split_words(std::string_view sentence);

}  // namespace attnviz

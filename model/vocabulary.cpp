#include "model/vocabulary.h"

namespace attnviz {
namespace {

std::string ascii_lower(std::string_view word) {
  std::string folded(word);
  for (char& c : folded)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return folded;
}

}  // namespace

Vocabulary::Vocabulary(const std::vector<std::string>& words) {
  for (const char* special : {"<pad>", "<bos>", "<eos>", "<unk>"}) {
    index_.emplace(special, size());
    words_.emplace_back(special);
  }
  for (const std::string& w : words)
    if (index_.emplace(w, size()).second) words_.push_back(w);
  for (int i = 0; i < size(); ++i) {
    const auto [at, added] = folded_.emplace(ascii_lower(words_[static_cast<std::size_t>(i)]), i);
    if (!added) at->second = -1;
  }
}

Vocabulary Vocabulary::synthetic(int size) {
  std::vector<std::string> words;
  for (int i = 4; i < size; ++i) words.push_back(std::string("w").append(std::to_string(i)));
  return Vocabulary(words);
}

const std::string& Vocabulary::word(int id) const {
  static const std::string unknown = "<?>";
  return id >= 0 && id < size() ? words_[static_cast<std::size_t>(id)] : unknown;
}

int Vocabulary::id(std::string_view word) const {
  if (auto it = index_.find(std::string(word)); it != index_.end()) return it->second;
  auto folded = folded_.find(ascii_lower(word));
  return folded == folded_.end() || folded->second < 0 ? unk : folded->second;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) ++j;
    if (j > i) words.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return words;
}

std::vector<int> Vocabulary::encode(std::string_view sentence, std::vector<std::string>* unknown) const {
  std::vector<int> ids;
  for (const std::string& w : split_words(sentence)) {
    const int i = id(w);
    if (i == unk && unknown) unknown->push_back(w);
    ids.push_back(i);
  }
  return ids;
}

std::string Vocabulary::decode(const std::vector<int>& ids) const {
  std::string s;
  for (int i : ids) {
    if (!s.empty()) s += ' ';
    s += word(i);
  }
  return s;
}

}  // namespace attnviz

#include "model/vocabulary.h"

#include "model/error.h"
#include "model/quote.h"
#include "model/translatable.h"

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
  build_index();
}

Vocabulary::Vocabulary(std::vector<std::string> words, SpecialIds ids, bool own_order)
    : words_(std::move(words)), ids_(ids), own_order_(own_order) {
  for (int i = 0; i < size(); ++i) index_.emplace(words_[static_cast<std::size_t>(i)], i);
  build_index();
}

void Vocabulary::build_index() {
  for (int i = 0; i < size(); ++i) {
    const auto [at, added] = folded_.emplace(ascii_lower(words_[static_cast<std::size_t>(i)]), i);
    if (!added) at->second = -1;
  }
}

Vocabulary Vocabulary::in_order(const std::vector<std::string>& words, const SpecialWords& specials) {
  std::unordered_map<std::string, int> seen;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].empty()) throw InputError(N_("[%s]: an empty word"), {std::to_string(i)});
    const auto [at, added] = seen.emplace(words[i], static_cast<int>(i));
    if (!added)
      throw InputError(
          N_("[%s] = %s: already id %s (in a vocabulary given in its own order, a word's id is its position)"),
          {std::to_string(i), quote(words[i]), std::to_string(at->second)});
  }
  const auto id_of = [&](const std::string& word, const char* role) {
    const auto it = seen.find(word);
    if (it == seen.end()) throw InputError(N_("the special token %s = %s is not in the list"), {role, quote(word)});
    return it->second;
  };
  SpecialIds ids;
  ids.pad = id_of(specials.pad, "pad");
  ids.bos = id_of(specials.bos, "bos");
  ids.eos = id_of(specials.eos, "eos");
  ids.unk = specials.unk.empty() ? -1 : id_of(specials.unk, "unk");
  if (ids.pad == ids.bos || ids.pad == ids.eos || ids.bos == ids.eos || ids.unk == ids.pad || ids.unk == ids.bos ||
      ids.unk == ids.eos)
    throw InputError(N_("the special tokens pad, bos, eos and unk must be four different words"), {});
  return Vocabulary(words, ids, true);
}

SpecialWords Vocabulary::special_words() const {
  SpecialWords s{word(ids_.pad), word(ids_.bos), word(ids_.eos), ids_.unk >= 0 ? word(ids_.unk) : std::string()};
  return s;
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
  return folded == folded_.end() || folded->second < 0 ? ids_.unk : folded->second;
}

bool Vocabulary::contains(std::string_view word) const {
  const int i = id(word);
  return i >= 0 && (i != ids_.unk || word == words_[static_cast<std::size_t>(i)]);
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
    if (i == ids_.unk && unknown) unknown->push_back(w);
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

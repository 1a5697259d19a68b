
#include "views/i18n.h"

#include <libintl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdarg>
#include <cstdio>
#include <clocale>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

namespace attnviz::views {
namespace {

constexpr const char* domain = "attnviz";

std::atomic<Language> current{Language::en};
thread_local int english_only = 0;  // in_english() calls running on this thread
std::string bound_directory;        // set once by init_translations

std::string directory_of_executable() {
  std::error_code error;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string(".") : exe.parent_path().string();
}

// gettext ignores LANGUAGE when the messages locale is "C" or "POSIX", and Debian has no locale
// but C and C.UTF-8 unless more are generated: C.UTF-8 is enough.  Only LC_MESSAGES changes
// (numbers keep their '.'); in English it is "C" again, so that the system's own messages (a
// file's "No such file or directory") follow the interface too.  setlocale also tells gettext to
// look its catalogues up again (it bumps _nl_msg_cat_cntr).
void messages_locale(Language language) {
  if (language == Language::en) {
    std::setlocale(LC_MESSAGES, "C");
    return;
  }
  for (const char* name : {"C.UTF-8", "C.utf8"})
    if (std::setlocale(LC_MESSAGES, name)) return;
}

std::uint32_t word_at(const std::string& bytes, std::size_t offset, bool swapped) {
  std::uint32_t w = 0;
  if (offset + 4 > bytes.size()) return 0;
  std::memcpy(&w, bytes.data() + offset, 4);
  return swapped ? __builtin_bswap32(w) : w;
}

}  // namespace

void init_translations(const std::string& directory) {
  bound_directory = directory.empty() ? directory_of_executable() + "/locale" : directory;
  // Only the catalogue of `domain` is asked (dgettext), and only while Korean is chosen: LANGUAGE
  // names it once, before any thread starts, so a switch needs no change of environment.
  setenv("LANGUAGE", "ko", 1);
  bindtextdomain(domain, bound_directory.c_str());
  bind_textdomain_codeset(domain, "UTF-8");  // whatever LC_CTYPE says ("C" would be ASCII)
}

std::string catalogue_file(Language language) {
  if (bound_directory.empty()) init_translations();
  return bound_directory + "/" + language_code(language) + "/LC_MESSAGES/" + domain + ".mo";
}

bool set_interface_language(Language language) {
  if (language == Language::ko && !std::filesystem::exists(catalogue_file(language))) {
    current = Language::en;
    messages_locale(Language::en);
    return false;
  }
  current = language;
  messages_locale(language);
  return true;
}

Language interface_language() { return current; }

const char* tr(const char* msgid) {
  if (current == Language::en || english_only > 0 || !msgid || !*msgid) return msgid;
  return dgettext(domain, msgid);
}

std::string tr(std::string_view msgid) { return tr(std::string(msgid).c_str()); }

const char* trn(const char* singular, const char* plural, unsigned long n) {
  if (current == Language::en || english_only > 0) return n == 1 ? singular : plural;
  return dngettext(domain, singular, plural, n);
}

std::string in_english(const std::function<std::string()>& words) {
  struct English {
    English() { ++english_only; }
    ~English() { --english_only; }
  } english;
  return words();
}

std::string labelled(const char* msgid) { return std::string(tr(msgid)) + "###" + msgid; }

// A .mo file: magic, revision, N, offset of the originals' table, offset of the translations'
// table; each table N × (length, offset) of NUL-terminated strings.
std::string catalogue_text(Language language) {
  if (language == Language::en) return {};
  std::ifstream file(catalogue_file(language), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (bytes.size() < 28) return {};
  const std::uint32_t magic = word_at(bytes, 0, false);
  if (magic != 0x950412deu && magic != 0xde120495u) return {};
  const bool swapped = magic == 0xde120495u;
  const std::uint32_t n = word_at(bytes, 8, swapped), table = word_at(bytes, 16, swapped);
  std::string text;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t length = word_at(bytes, table + 8 * i, swapped),
                        offset = word_at(bytes, table + 8 * i + 4, swapped);
    if (static_cast<std::size_t>(offset) + length <= bytes.size()) text.append(bytes, offset, length);
    text += ' ';  // plural forms are NUL-separated; the glyph builder stops at NUL
  }
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

std::string formatted(const char* format, ...) {
  va_list args;
  va_start(args, format);
  char small[256];
  const int n = std::vsnprintf(small, sizeof small, format, args);
  va_end(args);
  if (n < 0) return {};
  if (static_cast<std::size_t>(n) < sizeof small) return std::string(small, static_cast<std::size_t>(n));
  std::string text(static_cast<std::size_t>(n), '\0');
  va_start(args, format);
  std::vsnprintf(text.data(), text.size() + 1, format, args);
  va_end(args);
  return text;
}

namespace {

// The sentence of `error` alone, without the sentences that follow it.
std::string sentence_in_words(const InputError& error) {
  if (error.format.empty()) return error.then.empty() ? error.what() : error.lead;
  std::vector<std::string> args = error.args;
  for (std::size_t i = 0; i < args.size() && i < 32; ++i)
    if (error.translated_args & (1u << i)) args[i] = tr(args[i]);
  return error.lead + fill_format(tr(error.format.c_str()), args);
}

}  // namespace

std::string error_in_words(const InputError& error) {
  std::string words = sentence_in_words(error);
  for (const InputError::Part& part : error.then)
    words += (part.separator.empty() ? std::string() : tr(part.separator)) + error_in_words(part.sentence);
  return words;
}

const char* language_code(Language language) { return language == Language::ko ? "ko" : "en"; }

bool language_from_code(std::string_view code, Language& language) {
  if (code == "en")
    language = Language::en;
  else if (code == "ko")
    language = Language::ko;
  else
    return false;
  return true;
}

}  // namespace attnviz::views

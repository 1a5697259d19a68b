#include "model/quote.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace attnviz {
namespace {

// The code point at text[i] and its length in bytes; length 0 for a byte that does not begin
// well-formed UTF-8 (overlong forms, surrogates and values past U+10FFFF included).
std::size_t decode(std::string_view text, std::size_t i, char32_t& code) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) {
    code = b0;
    return 1;
  }
  const std::size_t n = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC2 ? 2 : 0;
  if (n == 0 || n > 4 || b0 > 0xF4 || i + n > text.size()) return 0;
  code = b0 & (0x7F >> n);
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(k) & 0x3F);
  }
  const char32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < least[n] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return n;
}

bool acts_on_terminal(char32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

std::string hex(const char* format, unsigned value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// Appends the escaped form of the character at text[i]; returns its length in bytes.
std::size_t append_escaped(std::string& out, std::string_view text, std::size_t i) {
  char32_t c = 0;
  const std::size_t n = decode(text, i, c);
  if (n == 0) {
    out += hex("\\x%02x", static_cast<unsigned char>(text[i]));
    return 1;
  }
  if (c == '\n')
    out += "\\n";
  else if (c == '\t')
    out += "\\t";
  else if (acts_on_terminal(c))
    out += hex("\\u{%x}", static_cast<unsigned>(c));
  else
    out.append(text.substr(i, n));
  return n;
}

}  // namespace

std::string printable(std::string_view text, std::size_t max_chars) {
  std::string out;
  std::size_t i = 0, chars = 0;
  while (i < text.size() && chars < max_chars) {
    i += append_escaped(out, text, i);
    ++chars;
  }
  if (i < text.size()) out += "…";
  return out;
}

bool is_plain_text(std::string_view text, bool lines) {
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t n = decode(text, i, c);
    if (n == 0 || (acts_on_terminal(c) && !(lines && (c == '\n' || c == '\t')))) return false;
    i += n;
  }
  return true;
}

std::string key_text(std::string_view key) {
  const auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  if (!key.empty() && key.size() <= 48 && std::all_of(key.begin(), key.end(), plain)) return std::string(key);
  return quote(key);
}

std::string quote(std::string_view text, std::size_t max_chars) {
  std::string out = "'";
  out += printable(text, max_chars);
  out += '\'';
  if (out.size() >= 4 && out.compare(out.size() - 4, 4, "…'") == 0) {
    out += " (";
    out += std::to_string(text.size());
    out += " bytes)";
  }
  return out;
}

}  // namespace attnviz

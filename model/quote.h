#pragma once
// Text from a file or a user, made safe to put in a message: control characters, invalid UTF-8
// and terminal escapes are shown as escapes, never sent raw to a terminal or the window, and
// long text is cut so a message stays one short line.

#include <cstddef>
#include <string>
#include <string_view>

namespace attnviz {

// 'text' in single quotes, escaped (see printable) and cut to at most `max_chars` characters
// with "…" and the full length: 'aaaa…' (200000 bytes).
std::string quote(std::string_view text, std::size_t max_chars = 48);

// True when the text is well-formed UTF-8 with no character a terminal might act on (as
// printable escapes them); newlines and tabs pass when `lines` is set.
bool is_plain_text(std::string_view text, bool lines = false);

// A key as written when it is a plain name (letters, digits, '_', '-', at most 48), else quoted.
std::string key_text(std::string_view key);

// The text with every character a terminal might act on escaped: C0 and C1 controls, DEL and
// the bidirectional overrides as \u{…}, bytes that are not UTF-8 as \x…; newlines and tabs as
// \n and \t.  Cut to `max_chars` characters with "…".
std::string printable(std::string_view text, std::size_t max_chars = 400);

}  // namespace attnviz

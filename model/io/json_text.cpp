#include "model/io/json_text.h"

#include "model/error.h"
#include "model/quote.h"
#include "model/translatable.h"

#include <set>
#include <vector>

namespace attnviz::io {
namespace {

// Line and column (1-based, in characters) of the byte at `offset`, as two words.
std::vector<std::string> position(std::string_view text, std::size_t offset) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++column;
    }
  }
  return {std::to_string(line), std::to_string(column)};
}

// nlohmann's message after its "[json.exception…] " prefix and "…: " context, escaped and short.
std::string reason_of(const nlohmann::json::exception& e) {
  std::string reason = e.what();
  if (const std::size_t colon = reason.find(": "); colon != std::string::npos)
    reason = reason.substr(colon + 2);
  else if (const std::size_t bracket = reason.find("] "); bracket != std::string::npos)
    reason = reason.substr(bracket + 2);
  return printable(reason, 120);
}

}  // namespace

Json parse_json(std::string_view text, const std::string& what) {
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const std::vector<std::string> at = position(text, nul);
    throw InputError(N_("%s: line %s, column %s: a NUL byte: not JSON text"), {what, at[0], at[1]});
  }
  std::vector<std::set<std::string>> keys;  // one set per open object
  std::string duplicate;
  const Json::parser_callback_t check = [&](int depth, nlohmann::detail::parse_event_t event, Json& parsed) {
    using E = nlohmann::detail::parse_event_t;
    if ((event == E::object_start || event == E::array_start) && depth >= max_json_depth)
      throw InputError(N_("%s: nested more than %s levels deep"), {what, std::to_string(max_json_depth)});
    if (event == E::object_start)
      keys.emplace_back();
    else if (event == E::object_end && !keys.empty())
      keys.pop_back();
    else if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second &&
             duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    Json json = Json::parse(text.begin(), text.end(), check);
    if (!duplicate.empty()) throw InputError(N_("%s: duplicate key %s"), {what, quote(duplicate)});
    return json;
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the character where parsing stopped.
    const std::vector<std::string> at = position(text, e.byte > 0 ? e.byte - 1 : 0);
    throw InputError(N_("%s: line %s, column %s: not valid JSON: %s"), {what, at[0], at[1], reason_of(e)});
  } catch (const nlohmann::json::exception& e) {  // a number out of double's range
    throw InputError(N_("%s: not valid JSON: %s"), {what, reason_of(e)});
  }
}

}  // namespace attnviz::io

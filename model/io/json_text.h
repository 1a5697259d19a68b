#pragma once
// Parsing JSON text for the file readers of model/io: syntax errors name the line and column,
// a key that appears twice in one object is refused (nlohmann would keep the last silently),
// and so are text with a NUL byte, nesting deeper than max_json_depth, and numbers out of
// double's range.  File text in messages is escaped and cut short.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace attnviz::io {

using Json = nlohmann::ordered_json;

inline constexpr int max_json_depth = 32;  // lesson and safetensors files need 4

// Throws InputError "<what>: line L, column C: <reason>" or "<what>: duplicate key 'k' …".
Json parse_json(std::string_view text, const std::string& what);

}  // namespace attnviz::io

#pragma once
// Parsing JSON text for the file readers of model/io: syntax errors name the line and column,
// a key that appears twice in one object is refused (nlohmann would keep the last silently).

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace attnviz::io {

using Json = nlohmann::ordered_json;

// Throws InputError "<what>: line L, column C: <reason>" or "<what>: duplicate key 'k' …".
Json parse_json(std::string_view text, const std::string& what);

// The whole file as bytes; throws InputError naming the path when it cannot be read.
std::string read_file(const std::string& path);

// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so a crash
// never leaves a half-written file.  Throws InputError naming the path on failure.
void write_file_atomically(const std::string& path, std::string_view bytes);

}  // namespace attnviz::io

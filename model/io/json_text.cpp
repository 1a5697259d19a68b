#include "model/io/json_text.h"

#include "model/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

namespace attnviz::io {

Json parse_json(std::string_view text, const std::string& what) {
  std::vector<std::set<std::string>> keys;  // one set per open object
  std::string duplicate;
  const Json::parser_callback_t check = [&](int, nlohmann::detail::parse_event_t event, Json& parsed) {
    using E = nlohmann::detail::parse_event_t;
    if (event == E::object_start) keys.emplace_back();
    else if (event == E::object_end && !keys.empty()) keys.pop_back();
    else if (event == E::key && !keys.empty() && !keys.back().insert(parsed.get<std::string>()).second &&
             duplicate.empty())
      duplicate = parsed.get<std::string>();
    return true;
  };
  try {
    Json json = Json::parse(text.begin(), text.end(), check);
    if (!duplicate.empty()) throw InputError(what + ": duplicate key '" + duplicate + "'");
    return json;
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is 1-based: the character where parsing stopped.
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
        ++column;
      }
    }
    std::string reason = e.what();
    if (const std::size_t colon = reason.rfind(": "); colon != std::string::npos) reason = reason.substr(colon + 2);
    throw InputError(what + ": line " + std::to_string(line) + ", column " + std::to_string(column) +
                     ": not valid JSON: " + reason);
  }
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw InputError(path + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw InputError(path + ": read error");
  return bytes.str();
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) throw InputError(path + ": cannot write: " + std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      throw InputError(path + ": write error");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw InputError(path + ": cannot rename the temporary file: " + ec.message());
  }
}

}  // namespace attnviz::io

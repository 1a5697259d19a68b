#pragma once
// Where the window was when it closed, restored on the next start:
//   $XDG_CONFIG_HOME/attnviz/session.json —
//   {"lesson": "/path/word-order.json", "src": "…", "tgt": "…", "step": 150,
//    "token_side": 1, "token_index": 2}
// Written through a temporary file and a rename; a missing or unreadable file restores nothing.

#include <filesystem>
#include <optional>
#include <string>

namespace attnviz::app {

struct LastSession {
  std::string lesson, src, tgt;
  int step = 0;
  int token_side = 0, token_index = -1;
};

std::optional<LastSession> load_last_session(const std::filesystem::path& file);
void save_last_session(const std::filesystem::path& file, const LastSession& session);  // throws std::runtime_error

}  // namespace attnviz::app

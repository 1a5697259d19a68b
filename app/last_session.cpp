#include "app/last_session.h"

#include "app/settings.h"

#include <nlohmann/json.hpp>

namespace attnviz::app {

std::optional<LastSession> load_last_session(const std::filesystem::path& file) {
  const std::string text = read_file(file);
  if (text.empty()) return std::nullopt;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    LastSession s;
    s.lesson = j.at("lesson").get<std::string>();
    s.src = j.value("src", std::string());
    s.tgt = j.value("tgt", std::string());
    s.step = j.value("step", 0);
    s.token_side = j.value("token_side", 0);
    s.token_index = j.value("token_index", -1);
    if (s.lesson.empty() || s.step < 0) return std::nullopt;
    return s;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

void save_last_session(const std::filesystem::path& file, const LastSession& s) {
  const nlohmann::json j = {
      {"lesson", s.lesson},          {"src", s.src}, {"tgt", s.tgt}, {"step", s.step}, {"token_side", s.token_side},
      {"token_index", s.token_index}};
  write_config_file(file, j.dump(2) + "\n");
}

}  // namespace attnviz::app

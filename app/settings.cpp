#include "app/settings.h"

#include "model/error.h"
#include "model/io/files.h"
#include "views/i18n.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace attnviz::app {

std::filesystem::path config_dir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "attnviz";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".config" / "attnviz";
  return {};
}

std::string read_file(const std::filesystem::path& file) {
  try {
    return io::read_file(file.string(), 4'000'000);  // a regular file of a few MB, or nothing
  } catch (const InputError&) {
    return {};
  }
}

Settings load_settings(const std::filesystem::path& file, std::string& problem) {
  Settings s;
  const std::string text = read_file(file);
  if (text.empty()) return s;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    const float scale = j.value("ui_scale", s.ui_scale);
    if (scale >= views::min_ui_scale && scale <= views::max_ui_scale) s.ui_scale = scale;
    if (const auto theme = views::theme_from_string(j.value("theme", std::string("light")))) s.theme = *theme;
    s.play_speed = std::clamp(j.value("play_speed", s.play_speed), 0.25f, 60.0f);
    views::language_from_code(j.value("language", std::string("en")), s.language);  // unknown: English
  } catch (const nlohmann::json::exception&) {
    problem = "Settings file " + file.string() + " is not valid JSON; using defaults.";
    return Settings{};
  }
  return s;
}

void save_settings(const std::filesystem::path& file, const Settings& s) {
  const nlohmann::json j = {{"ui_scale", s.ui_scale},
                            {"theme", views::to_string(s.theme)},
                            {"play_speed", s.play_speed},
                            {"language", views::language_code(s.language)}};
  write_config_file(file, j.dump(2) + "\n");
}

void write_config_file(const std::filesystem::path& file, std::string_view contents) {
  std::error_code error;
  std::filesystem::create_directories(file.parent_path(), error);
  io::write_file_atomically(file.string(), contents);
}

}  // namespace attnviz::app

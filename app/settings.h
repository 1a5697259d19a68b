#pragma once
// What the window remembers between runs, in the user's config directory
// ($XDG_CONFIG_HOME/attnviz, else ~/.config/attnviz):
//   settings.json — {"ui_scale": 1.2, "theme": "light", "play_speed": 4, "language": "ko"}
//   layout.ini    — Dear ImGui's window positions and sizes
// Both are written to a temporary file first and renamed over the old one.

#include "model/tour.h"
#include "views/theme.h"

#include <filesystem>
#include <string>
#include <string_view>

namespace attnviz::app {

struct Settings {
  float ui_scale = 1;
  views::Theme theme = views::Theme::light;
  float play_speed = 4;
  Language language = Language::en;  // of the interface and the tour notes (views/i18n.h)
};

// Empty when neither XDG_CONFIG_HOME nor HOME is set.
std::filesystem::path config_dir();

// The stored settings; defaults for a missing file.  A file that cannot be read gives the
// defaults and a one-line reason in `problem`.
Settings load_settings(const std::filesystem::path& file, std::string& problem);
void save_settings(const std::filesystem::path& file, const Settings& settings);

// Creates the config directory and writes `contents` atomically (io::write_file_atomically).
// Throws InputError naming the file.
void write_config_file(const std::filesystem::path& file, std::string_view contents);
std::string read_file(const std::filesystem::path& file);  // empty when missing or not a regular file

}  // namespace attnviz::app

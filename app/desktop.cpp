#include "app/desktop.h"

#include "model/describe.h"

#include <imgui.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <iostream>

namespace attnviz::app {

std::string shown_text(const Session& session) {
  std::string text = session.src_text() + session.tgt_text();
  for (const std::string& w : session.preset().src_vocab.words()) text += w;
  for (const std::string& w : session.preset().tgt_vocab.words()) text += w;
  const Trace& trace = session.trace();
  for (int i = 0; i < trace.step_count(); ++i) {
    const Step& step = trace.step(i);
    text += step.formula;
    if (i == 0 || step.op != trace.step(i - 1).op) text += describe(step.op, step.phase);
  }
  return text;
}

Desktop::Desktop(Session session, const DesktopOptions& o)
    : window_(o.window), app_(std::move(session)), persist_(o.persist) {
  app_.textures = &textures_;
  ui_.view = o.view;
  ui_.open_page = o.page;
  ui_.gradlab_open = o.gradlab_open;
  ui_.fixed_layout = !o.persist;
  if (persist_ && !config_dir().empty()) {
    settings_file_ = config_dir() / "settings.json";
    layout_file_ = config_dir() / "layout.ini";
    std::string problem;
    const Settings s = load_settings(settings_file_, problem);
    app_.ui_scale = s.ui_scale;
    app_.theme = s.theme;
    app_.play_speed = s.play_speed;
    app_.notice = problem;
    const std::string layout = read_file(layout_file_);
    if (!layout.empty()) ImGui::LoadIniSettingsFromMemory(layout.data(), layout.size());
  }
  if (o.theme) app_.theme = *o.theme;
  if (o.ui_scale) app_.ui_scale = std::clamp(*o.ui_scale, views::min_ui_scale, views::max_ui_scale);
  fonts_.add_text(shown_text(app_.session));
  rebuild_fonts();
  views::apply_style(app_.theme, app_.ui_scale);
  views::go_to_step(app_, selection_, 0);
}

Desktop::~Desktop() {
  if (persist_) save_layout();
  textures_.clear();
}

void Desktop::rebuild_fonts() {
  const std::string notice = fonts_.build(base_font_pixels * app_.ui_scale);
  if (!notice.empty()) app_.notice = notice;
  window_.reload_font_texture();
}

void Desktop::save_layout() {
  if (layout_file_.empty()) return;
  std::size_t size = 0;
  const char* text = ImGui::SaveIniSettingsToMemory(&size);
  try {
    write_file_atomically(layout_file_, std::string_view(text, size));
  } catch (const std::exception& e) {
    app_.notice = e.what();
  }
}

void Desktop::save_settings() {
  if (settings_file_.empty()) return;
  try {
    app::save_settings(settings_file_, Settings{app_.ui_scale, app_.theme, app_.play_speed});
  } catch (const std::exception& e) {
    app_.notice = e.what();
  }
}

// The back buffer still holds this frame: crop the rectangle and write it next to the others.
void Desktop::save_image(const views::SaveImage& request) {
  const Image frame = window_.read_pixels();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const float sx = display.x > 0 ? static_cast<float>(frame.width) / display.x : 1;
  const float sy = display.y > 0 ? static_cast<float>(frame.height) / display.y : 1;
  const int x0 = std::clamp(static_cast<int>(request.min.x * sx), 0, frame.width);
  const int y0 = std::clamp(static_cast<int>(request.min.y * sy), 0, frame.height);
  const int x1 = std::clamp(static_cast<int>(request.max.x * sx), x0, frame.width);
  const int y1 = std::clamp(static_cast<int>(request.max.y * sy), y0, frame.height);
  if (x1 <= x0 || y1 <= y0) return;
  std::vector<unsigned char> crop(static_cast<std::size_t>(x1 - x0) * static_cast<std::size_t>(y1 - y0) * 4);
  for (int y = y0; y < y1; ++y)
    std::memcpy(&crop[static_cast<std::size_t>(y - y0) * static_cast<std::size_t>(x1 - x0) * 4],
                &frame.rgba[(static_cast<std::size_t>(y) * static_cast<std::size_t>(frame.width) + static_cast<std::size_t>(x0)) * 4],
                static_cast<std::size_t>(x1 - x0) * 4);
  std::filesystem::path path;
  for (int n = 1; n < 10000; ++n) {
    path = std::filesystem::current_path() / (request.name + "-" + std::to_string(n) + ".png");
    if (!std::filesystem::exists(path)) break;
  }
  if (stbi_write_png(path.c_str(), x1 - x0, y1 - y0, 4, crop.data(), (x1 - x0) * 4))
    app_.notice = "saved " + path.string();
  else
    app_.notice = "cannot write " + path.string();
}

void Desktop::frame(double seconds) {
  window_.poll_events();
  window_.new_frame();
  ui_.begin_frame(selection_);
  views::advance_playback(app_, selection_, seconds);
  ui_.draw(app_, selection_, commands_);
  const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(views::palette(app_.theme).panel);
  const float background[4] = {bg.x, bg.y, bg.z, 1};
  window_.render(background);
  textures_.end_frame();

  const views::Effects effects = views::apply_commands(commands_, app_, selection_);
  for (const views::SaveImage& image : effects.images) save_image(image);
  if (effects.quit) window_.request_close();
  // A new text size changes every panel's needs (the controls' height first): tile again.
  if (effects.reset_layout || effects.rebuild_fonts) ui_.reset_layout();
  const bool new_glyphs = !effects.glyph_text.empty() && fonts_.add_text(effects.glyph_text);
  if (effects.rebuild_fonts || new_glyphs) rebuild_fonts();
  if (effects.restyle) views::apply_style(app_.theme, app_.ui_scale);
  if (persist_ && effects.settings_changed) save_settings();
  ImGuiIO& io = ImGui::GetIO();
  if (persist_ && io.WantSaveIniSettings) {
    save_layout();
    io.WantSaveIniSettings = false;
  }
}

}  // namespace attnviz::app

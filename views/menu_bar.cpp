#include "views/menu_bar.h"

#include "model/number_format.h"
#include "views/controls_bar.h"
#include "views/i18n.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>

namespace attnviz::views {
namespace {

void theme_and_text_size(const AppState& app, Commands& commands) {
  if (ImGui::MenuItem(tr("Light theme (projector)"), nullptr, app.theme == Theme::light))
    commands.push(SetTheme{Theme::light});
  if (ImGui::MenuItem(tr("Dark theme"), nullptr, app.theme == Theme::dark)) commands.push(SetTheme{Theme::dark});
  ImGui::Separator();
  if (ImGui::MenuItem(tr("Larger text"), "Ctrl +"))  // not translated: keys
    commands.push(SetUiScale{larger_text_size(app.ui_scale)});
  if (ImGui::MenuItem(tr("Smaller text"), "Ctrl −"))  // not translated: keys
    commands.push(SetUiScale{smaller_text_size(app.ui_scale)});
  for (float size : text_sizes) {
    char label[32];
    std::snprintf(label, sizeof label, tr("Text size %d %%"), static_cast<int>(std::lround(size * 100)));
    if (ImGui::MenuItem(label, size == 1.0f ? "Ctrl 0" : nullptr,  // not translated: keys
                        std::abs(app.ui_scale - size) < 1e-3f))
      commands.push(SetUiScale{size});
  }
}

// The interface language, which is also the language of the tour's titles and notes.
void language_items(const AppState& app, Commands& commands) {
  if (!ImGui::BeginMenu(labelled("Language").c_str())) return;
  // Each language by its own name, so that it can be found in either.
  if (ImGui::MenuItem("English", nullptr, app.language == Language::en))  // not translated: a language's own name
    commands.push(SetLanguage{Language::en});
  if (ImGui::MenuItem("한국어 (Korean)", nullptr, app.language == Language::ko))  // not translated: its own name
    commands.push(SetLanguage{Language::ko});
  ImGui::EndMenu();
}

// Every panel but the overview itself, ticked when in view; the one chosen, if any.
std::optional<PanelId> panel_items(const std::function<bool(PanelId)>& shown) {
  std::optional<PanelId> chosen;
  for (const PanelInfo& panel : panel_table())
    if (panel.home != Home::whole && ImGui::MenuItem(tr(panel.window()), nullptr, shown(panel.id))) chosen = panel.id;
  return chosen;
}

// Right-aligned in the menu bar when it fits: the step (when the controls had no room), the
// loss and the text size.
void status(const AppState& app, const Selection& selection, bool step_in_menu) {
  const Trace& trace = app.session.trace();
  char text[224];
  std::snprintf(text, sizeof text, tr("%s%s%s %s   ·   text %d %%"),
                step_in_menu ? step_in_words(trace, selection.step).c_str() : "", step_in_menu ? "   ·   " : "",
                app.session.fixed_attention() ? tr("loss L = Σ O") : tr("loss on this sentence pair"),
                format_significant(trace.loss(), 4).c_str(), static_cast<int>(std::lround(app.ui_scale * 100)));
  const float x = ImGui::GetWindowWidth() - ImGui::CalcTextSize(text).x - ImGui::GetFontSize();
  if (x <= ImGui::GetCursorPosX() + ImGui::GetFontSize()) return;
  ImGui::SetCursorPosX(x);
  ImGui::TextDisabled("%s", text);
}

}  // namespace

std::optional<PanelId> MenuBar::draw(const AppState& app, const Selection& selection, Commands& commands,
                                     bool step_in_menu, const std::function<bool(PanelId)>& shown) {
  if (!ImGui::BeginMainMenuBar()) return std::nullopt;
  height = ImGui::GetWindowSize().y;
  if (ImGui::BeginMenu(labelled("File").c_str())) {
    files.items(app, commands);
    if (ImGui::MenuItem(tr("Quit"))) commands.push(Quit{});
    ImGui::EndMenu();
  }
  std::optional<PanelId> chosen;
  if (ImGui::BeginMenu(labelled("View").c_str())) {
    theme_and_text_size(app, commands);
    ImGui::Separator();
    chosen = panel_items(shown);
    ImGui::Separator();
    if (ImGui::MenuItem(tr("Presenter mode"), "F5")) commands.push(SetPresenter{true});
    if (ImGui::MenuItem(tr("Reset layout"))) commands.push(ResetLayout{});
    ImGui::Separator();
    language_items(app, commands);
    ImGui::EndMenu();
  }
  const Palette& pal = palette(app.theme);
  if (!app.notice.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "%s", app.notice.c_str());
  if (app.opening)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.accent), "%s", app.opening->progress().c_str());
  status(app, selection, step_in_menu);
  ImGui::EndMainMenuBar();
  return chosen;
}

}  // namespace attnviz::views

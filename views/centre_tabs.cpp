#include "views/centre_tabs.h"

#include "views/figure.h"
#include "views/i18n.h"

#include <cctype>
#include <string>
#include <utility>

namespace attnviz::views {

void CentreTabs::draw_tab(PanelSet& panels, PanelId id, const AppState& app, Selection& selection, Commands& commands) {
  if (app.session.fixed_attention()) {
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(
        tr("This lesson is worked example A: one attention head on fixed matrices, with no Transformer "
           "around it. Its matrices are in the Step detail tab."));
    ImGui::PopTextWrapPos();
    return;
  }
  // Right-click where no matrix is: save what the panel shows, on the next frame (without the menu).
  if (pending_image_) {
    commands.push(*pending_image_);
    pending_image_.reset();
  }
  const ImVec2 min = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
  panels[id].draw(app, selection, commands);
  // After the panel: a right-click a figure took (its Save picture…) opens no second menu.
  const ImGuiPopupFlags flags = ImGuiPopupFlags_MouseButtonRight | ImGuiPopupFlags_NoOpenOverItems;
  if (!right_click_taken_this_frame() && ImGui::BeginPopupContextWindow("panel", flags)) {
    if (ImGui::MenuItem(tr("Save this panel as PNG"))) {
      std::string name = std::string("attnviz-") + panel_info(id).title;
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      pending_image_ = SaveImage{min, ImVec2(min.x + size.x, min.y + size.y), name};
    }
    ImGui::EndPopup();
  }
}

void CentreTabs::draw(PanelSet& panels, const AppState& app, Selection& selection, Commands& commands) {
  if (!ImGui::BeginTabBar("pages", ImGuiTabBarFlags_FittingPolicyScroll)) return;
  const std::optional<PanelId> open = std::exchange(open_, std::nullopt);
  const auto flags = [&](PanelId id) { return open == id ? ImGuiTabItemFlags_SetSelected : 0; };
  if (ImGui::BeginTabItem(panel_info(PanelId::detail).label().c_str(), nullptr, flags(PanelId::detail))) {
    shown_ = PanelId::detail;
    panels[PanelId::detail].draw(app, selection, commands);
    ImGui::EndTabItem();
  }
  for (const PanelInfo& tab : panel_table()) {
    if (tab.home != Home::centre_tab || !ImGui::BeginTabItem(tab.label().c_str(), nullptr, flags(tab.id))) continue;
    shown_ = tab.id;
    ImGui::BeginChild("page");
    draw_tab(panels, tab.id, app, selection, commands);
    ImGui::EndChild();
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace attnviz::views

#include "views/tooltip_button.h"

#include <imgui.h>

namespace attnviz::views {

bool tooltip_button(const char* label, const char* tooltip, bool enabled) {
  if (!enabled) ImGui::BeginDisabled();
  const bool pressed = ImGui::Button(label);
  if (!enabled) ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("%s", tooltip);
  return pressed;
}

}  // namespace attnviz::views

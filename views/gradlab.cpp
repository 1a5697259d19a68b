#include "views/gradlab.h"

namespace attnviz::views {

void GradLab::draw_tabs(const AppState& app, Selection& selection, Commands& commands) {
  if (!ImGui::BeginTabBar("gradlab")) return;
  if (ImGui::BeginTabItem("Scalar chain (example C)")) {
    scalar.draw(app, selection, commands);
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("Depth (example D)")) {
    depth.draw(app, selection, commands);
    ImGui::EndTabItem();
  }
  if (ImGui::BeginTabItem("Inside the Transformer")) {
    transformer.draw(app, selection, commands);
    ImGui::EndTabItem();
  }
  ImGui::EndTabBar();
}

}  // namespace attnviz::views

#include "views/figure.h"

#include "views/i18n.h"
#include "views/matrix_export.h"

#include <algorithm>
#include <cctype>

namespace attnviz::views {
namespace {

FigureFrame* current_frame = nullptr;

bool asks_for(const AppState& app, ImGuiID id, const std::string& name) {
  if (!app.picture || app.picture->window || !app.canvas || app.canvas->drawn) return false;
  return app.picture->figure == id || (app.picture->figure == 0 && names_figure(app.picture->name, name));
}

// The figure again on the canvas: a window as wide as the figure on screen × picture_scale plus
// the canvas style's padding, and as high; the figure may run below it (its clip rect is the
// canvas), and the picture ends one padding under the figure.
void draw_on_canvas(PictureCanvas& canvas, ImVec2 on_screen, const std::function<void(float)>& draw) {
  const ImVec2 inner(on_screen.x * picture_scale, on_screen.y * picture_scale);
  // Padding at picture_scale: the canvas's style is not current yet.
  const ImVec2 pad(ImGui::GetStyle().WindowPadding.x * picture_scale,
                   ImGui::GetStyle().WindowPadding.y * picture_scale);
  const ImVec2 window(inner.x + 2 * pad.x, inner.y + 2 * pad.y);
  const ImVec2 display(window.x, window.y * 1.5f + 4 * pad.y);
  canvas.drawn = true;
  canvas.on_screen = on_screen;
  canvas.begin(display);
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(window);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, pad);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0);
  ImGui::Begin("###picture", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBackground |
                   ImGuiWindowFlags_NoInputs);
  ImGui::PushClipRect(ImVec2(0, 0), display, false);
  ImGui::BeginGroup();
  draw(picture_scale);
  ImGui::EndGroup();
  const ImVec2 end = ImGui::GetItemRectMax();
  ImGui::PopClipRect();
  ImGui::End();
  ImGui::PopStyleVar(2);
  canvas.end(ImVec2(window.x, std::clamp(end.y + pad.y, 1.0f, display.y)));
}

void figure_menu(const std::string& name, const std::string& title, ImGuiID id, Commands* commands,
                 const FigureCsv& csv) {
  if (!ImGui::BeginPopup("figure menu")) return;
  ImGui::TextDisabled("%s", title.empty() ? tr(name).c_str() : title.c_str());
  if (csv.values) {
    ImGui::TextUnformatted(
        formatted(tr("%d × %d matrix"), static_cast<int>(csv.values->rows()), static_cast<int>(csv.values->cols()))
            .c_str());
    if (ImGui::MenuItem(tr("Copy as CSV")))
      ImGui::SetClipboardText(matrix_csv(*csv.values, csv.row_labels, csv.col_labels).c_str());
  }
  if (commands && ImGui::MenuItem(tr("Save picture…"))) {
    SavePicture picture;
    picture.figure = id;
    picture.name = name;
    picture.path = picture_file_name(name);  // in the working folder, as "Save this panel as PNG"
    commands->push(AskPicturePath{std::move(picture)});
  }
  ImGui::EndPopup();
}

}  // namespace

void take_right_click() {
  if (current_frame) current_frame->right_click_taken_ = true;
}
bool right_click_taken_this_frame() { return current_frame && current_frame->right_click_taken_; }

std::string picture_file_name(const std::string& name) {
  std::string file;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && std::isalnum(u))
      file += static_cast<char>(std::tolower(u));
    else if (!file.empty() && file.back() != '-')
      file += '-';
    if (file.size() >= 48) break;
  }
  while (!file.empty() && file.back() == '-') file.pop_back();
  return (file.empty() ? "figure" : file) + ".png";
}

bool names_figure(const std::string& name, const std::string& figure) {
  return name == figure || name + ".png" == picture_file_name(figure);
}

FigureFrame::FigureFrame(const AppState& app, Commands& commands)
    : outer_(current_frame), app_(app), commands_(commands) {
  current_frame = this;
}

FigureFrame::~FigureFrame() { current_frame = outer_; }

void figure(const std::string& name, const std::function<void(float scale)>& draw, const FigureCsv& csv,
            const std::string& title) {
  const AppState* app = current_frame ? &current_frame->app_ : nullptr;
  Commands* commands = current_frame ? &current_frame->commands_ : nullptr;
  ImGui::PushID(name.c_str());
  const ImGuiID id = ImGui::GetID("figure");
  ImGui::BeginGroup();
  draw(1);
  ImGui::EndGroup();
  const ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
  // Right-click anywhere on the figure (its cells, labels, caption or colour bar).
  if (ImGui::IsMouseReleased(ImGuiMouseButton_Right) && !right_click_taken_this_frame() &&
      ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows) && ImGui::IsMouseHoveringRect(min, max)) {
    ImGui::OpenPopup("figure menu");
    take_right_click();
  }
  figure_menu(name, title, id, commands, csv);
  if (app && asks_for(*app, id, name)) draw_on_canvas(*app->canvas, ImVec2(max.x - min.x, max.y - min.y), draw);
  ImGui::PopID();
}

}  // namespace attnviz::views

#include "views/file_menu.h"

#include "views/i18n.h"

#include <imgui.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace attnviz::views {
namespace {

const char* kind_title(FileAction::Kind kind) {
  switch (kind) {
    case FileAction::Kind::open_lesson: return tr("Open lesson");
    case FileAction::Kind::open_weights: return tr("Open weights");
    case FileAction::Kind::save_weights: return tr("Save weights");
    case FileAction::Kind::save_lesson: return tr("Save lesson");
  }
  return "";
}

bool is_lesson(const std::string& path) { return std::filesystem::path(path).extension() == ".json"; }

}  // namespace

void FileMenu::ask(FileAction::Kind kind, const std::string& initial) {
  kind_ = kind;
  picture_.reset();
  open_ = opening_ = true;
  path_.fill(0);
  std::memcpy(path_.data(), initial.data(), std::min(initial.size(), path_.size() - 1));
}

// The same dialog; the picture, not kind_, gives its title and the command it pushes.
void FileMenu::ask_picture(const SavePicture& picture) {
  ask(kind_, picture.path);
  picture_ = picture;
}

void FileMenu::take_picture_questions(Commands& commands) {
  std::vector<Command>& list = commands.list;
  for (auto it = list.begin(); it != list.end();) {
    if (const auto* question = std::get_if<AskPicturePath>(&*it)) {
      ask_picture(question->picture);
      it = list.erase(it);
    } else {
      ++it;
    }
  }
}

const char* FileMenu::title() const {
  if (!picture_) return kind_title(kind_);
  return picture_->window ? tr("Save window as PNG") : tr("Save picture (twice its size on screen)");
}

void FileMenu::items(const AppState& app, Commands& commands) {
  const std::filesystem::path lesson(app.lesson_path);
  const std::string folder = lesson.has_parent_path() ? lesson.parent_path().string() + "/" : std::string();
  if (ImGui::MenuItem(tr("Open lesson…"))) ask(FileAction::Kind::open_lesson, folder);
  if (ImGui::MenuItem(tr("Open weights…"))) ask(FileAction::Kind::open_weights, folder);
  ImGui::Separator();
  if (ImGui::MenuItem(tr("Save weights…"))) ask(FileAction::Kind::save_weights, folder + "trained.safetensors");
  if (ImGui::MenuItem(tr("Save lesson…"), nullptr, false, app.lesson.has_value()))
    ask(FileAction::Kind::save_lesson, app.lesson_path);
  if (ImGui::MenuItem(tr("Save window as PNG…"))) {
    SavePicture window;
    window.window = true;
    window.path = "attnviz-window.png";  // in the working folder, as a figure's picture
    ask_picture(window);
  }
  if (ImGui::BeginMenu(tr("Recent files"), !app.recent_files.empty())) {
    for (std::size_t i = 0; i < app.recent_files.size(); ++i) {
      const std::string& path = app.recent_files[i];
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::MenuItem(path.c_str()))
        commands.push(
            FileAction{is_lesson(path) ? FileAction::Kind::open_lesson : FileAction::Kind::open_weights, path});
      ImGui::PopID();
    }
    ImGui::EndMenu();
  }
  ImGui::Separator();
}

void FileMenu::dialogs(const AppState& app, Commands& commands) {
  take_picture_questions(commands);
  if (opening_) {
    ImGui::OpenPopup("###File name");
    opening_ = false;
  }
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  ImGui::SetNextWindowPos(ImVec2(display.x / 2, display.y / 3), ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(display.x * 0.9f, ImGui::GetFontSize() * 40), 0), ImGuiCond_Appearing);
  if (ImGui::BeginPopupModal(labelled("File name").c_str(), &open_, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::TextUnformatted(title());
    const bool save = picture_ || kind_ == FileAction::Kind::save_weights || kind_ == FileAction::Kind::save_lesson;
    ImGui::TextDisabled(save ? tr("Written to a temporary file first, then renamed over the old one.")
                             : tr("A file that cannot be used changes nothing."));
    if (ImGui::IsWindowAppearing()) ImGui::SetKeyboardFocusHere();
    ImGui::SetNextItemWidth(-1);
    const bool enter = ImGui::InputText("##path", path_.data(), path_.size(), ImGuiInputTextFlags_EnterReturnsTrue);
    if (ImGui::Button(save ? tr("Save") : tr("Open")) || enter) {
      if (picture_) {
        picture_->path = path_.data();
        commands.push(*picture_);
      } else {
        commands.push(FileAction{kind_, std::string(path_.data())});
      }
      open_ = false;
      ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(tr("Cancel")) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
      open_ = false;
      ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
  }
  if (!app.file_message.empty()) {
    ImGui::SetNextWindowPos(ImVec2(display.x / 2, ImGui::GetFrameHeight() * 1.5f), ImGuiCond_Always, ImVec2(0.5f, 0));
    ImGui::SetNextWindowBgAlpha(1.0f);
    ImGui::SetNextWindowSize(ImVec2(std::min(display.x * 0.9f, ImGui::GetFontSize() * 44), 0));
    if (ImGui::Begin(labelled("File problem").c_str(), nullptr,
                     ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove |
                         ImGuiWindowFlags_NoResize)) {
      ImGui::PushStyleColor(ImGuiCol_Text, palette(app.theme).warning);
      ImGui::TextWrapped("%s", app.file_message.c_str());
      ImGui::PopStyleColor();
      ImGui::TextDisabled(tr("The lesson that was open stays open."));
      if (ImGui::Button(tr("OK"))) commands.push(DismissFileMessage{});
    }
    ImGui::End();
  }
}

}  // namespace attnviz::views

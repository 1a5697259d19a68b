#include "views/tour_panel.h"

#include "views/i18n.h"
#include "views/plot.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>
#include <utility>

namespace attnviz::views {

namespace {

const std::vector<TourStop>& tour_of(const AppState& app) {
  static const std::vector<TourStop> none;
  return app.lesson ? app.lesson->tour : none;
}

float button_width(const char* label) { return ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2; }

// A radio button's width: its circle (a frame high), the inner spacing and the label.
float radio_width(const char* label) {
  return ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label).x;
}

// The interface's language (View ▸ Language), which the tour's titles and notes follow:
// "English / 한국어" after the stop counter, each on a new line where it would pass the right edge.
void language_choice(const AppState& app, Commands& commands) {
  int lang = app.language == Language::ko ? 1 : 0;
  same_line_if_fits(radio_width("English"));
  if (ImGui::RadioButton("English", &lang, 0))  // not translated: a language's own name
    commands.push(SetLanguage{Language::en});
  same_line_if_fits(radio_width("한국어"));
  if (ImGui::RadioButton("한국어", &lang, 1))  // not translated: a language's own name
    commands.push(SetLanguage{Language::ko});
}

}  // namespace

TourStop stop_here(const AppState& app, const Selection& selection, PanelId panel, int number) {
  const Trace& trace = app.session.trace();
  TourStop stop;
  stop.title = {"Stop " + std::to_string(number), "지점 " + std::to_string(number)};  // not translated: both languages
  if (selection.step >= 0 && selection.step < trace.step_count()) {
    const Step& step = trace.step(selection.step);
    stop.step = step.label;
    stop.phase = step.phase;
    const ElementRef& e = selection.element;
    const Slot slot = step.phase == Phase::forward ? Slot::output : Slot::downstream;
    if (e.valid() && e.step == selection.step && e.slot == slot && e.index == 0) stop.select = {{e.row, e.col}};
  }
  stop.panel = panel_info(panel).name;
  const int percent = static_cast<int>(std::lround(app.ui_scale * 100));
  if (percent != 100) stop.text_size = std::clamp(percent, 100, 200);
  return stop;
}

void TourPanel::draw(const AppState& app, Selection&, Commands& commands) {
  const std::vector<TourStop>& tour = tour_of(app);
  if (app.tour_away && app.tour_away->arrived) {  // a stop in another lesson: its tour is not this lesson's
    stop_view(app, commands);
    return;
  }
  if (!app.lesson) {
    hint(tr("A preset has no tour: open a lesson (File ▸ Open lesson)."));
    return;
  }
  if (tour.empty())
    hint(tr("This lesson has no tour yet: \"Add this view as a stop\" starts one."));
  else
    stop_view(app, commands);
  editor(app, commands);
}

void TourPanel::stop_view(const AppState& app, Commands& commands) {
  const int n = app.tour_length(), k = app.tour_stop;
  if (ImGui::Button(tr("◀ Previous"))) commands.push(GoToTourStop{k < 0 ? 0 : k - 1});
  same_line_if_fits(button_width(tr("Next ▶")));
  if (ImGui::Button(tr("Next ▶"))) commands.push(GoToTourStop{k + 1});
  const std::string counter =
      k < 0 ? formatted(tr("%d stops: Next (PageDown) starts"), n) : formatted(tr("stop %d of %d"), k + 1, n);
  same_line_if_fits(ImGui::CalcTextSize(counter.c_str()).x);
  ImGui::TextUnformatted(counter.c_str());
  language_choice(app, commands);
  const TourStop* stop = app.shown_tour_stop();
  if (!stop) return;
  ImGui::Separator();
  ImGui::SetWindowFontScale(1.3f);
  ImGui::TextWrapped("%s", stop->title.in(app.language).c_str());
  ImGui::SetWindowFontScale(1.0f);
  ImGui::TextWrapped("%s", stop->note.in(app.language).c_str());
}

void TourPanel::editor(const AppState& app, Commands& commands) {
  ImGui::Separator();
  if (!ImGui::CollapsingHeader(labelled("Edit the tour").c_str())) return;
  if (ImGui::Button(tr("Add this view as a stop"))) capture_requested_ = true;
  if (app.tour_stop >= 0 && app.tour_stop < static_cast<int>(tour_of(app).size())) {
    order_buttons(app, commands);
    text_fields(app, commands);
  }
  hint(tr("File ▸ Save lesson writes the tour with the lesson."));
}

void TourPanel::order_buttons(const AppState& app, Commands& commands) {
  std::vector<TourStop> tour = tour_of(app);
  const int k = app.tour_stop, n = static_cast<int>(tour.size());
  const auto at = [&](int i) { return tour.begin() + i; };
  ImGui::SameLine();
  if (ImGui::Button(tr("Move up")) && k > 0) {
    std::iter_swap(at(k), at(k - 1));
    commands.push(SetTour{tour, k - 1});
  }
  ImGui::SameLine();
  if (ImGui::Button(tr("Move down")) && k + 1 < n) {
    std::iter_swap(at(k), at(k + 1));
    commands.push(SetTour{tour, k + 1});
  }
  ImGui::SameLine();
  if (ImGui::Button(tr("Delete"))) {
    tour.erase(at(k));
    commands.push(SetTour{tour, std::min(k, n - 2)});
  }
}

// The shown stop's title and note in both languages; Enter or leaving a field keeps the edit.
void TourPanel::text_fields(const AppState& app, Commands& commands) {
  const std::vector<TourStop>& tour = tour_of(app);
  const TourStop& stop = tour[static_cast<std::size_t>(app.tour_stop)];
  if (editing_ != app.tour_stop) {
    editing_ = app.tour_stop;
    title_en_ = stop.title.en, title_ko_ = stop.title.ko, note_en_ = stop.note.en, note_ko_ = stop.note.ko;
  }
  const float width = ImGui::GetContentRegionAvail().x;
  const ImVec2 note_size(width, ImGui::GetTextLineHeightWithSpacing() * 3);
  bool edited_one = false;
  ImGui::SetNextItemWidth(width);
  ImGui::InputTextWithHint("##title_en", tr("title (English)"), &title_en_);
  edited_one |= ImGui::IsItemDeactivatedAfterEdit();
  ImGui::SetNextItemWidth(width);
  ImGui::InputTextWithHint("##title_ko", tr("title (Korean)"), &title_ko_);
  edited_one |= ImGui::IsItemDeactivatedAfterEdit();
  ImGui::InputTextMultiline("##note_en", &note_en_, note_size);
  edited_one |= ImGui::IsItemDeactivatedAfterEdit();
  ImGui::InputTextMultiline("##note_ko", &note_ko_, note_size);
  edited_one |= ImGui::IsItemDeactivatedAfterEdit();
  if (!edited_one) return;
  std::vector<TourStop> edited = tour;
  TourStop& s = edited[static_cast<std::size_t>(app.tour_stop)];
  s.title = {title_en_, title_ko_};
  s.note = {note_en_, note_ko_};
  if (s.title.en.empty()) s.title.en = stop.title.en;  // a stop keeps a title
  commands.push(SetTour{std::move(edited), app.tour_stop});
  commands.push(ShowGlyphs{title_ko_ + note_ko_});
}

}  // namespace attnviz::views

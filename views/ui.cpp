#include "views/ui.h"

#include "model/translatable.h"
#include "views/i18n.h"
#include "views/tour_panel.h"

#include "views/controller.h"
#include "views/figure.h"
#include "views/gradlab_transformer_panel.h"

#include <imgui_internal.h>

#include <algorithm>
#include <utility>

namespace attnviz::views {
namespace {

const char* const lab_title = N_("Gradient lab");
const char* const lab_id = "###Gradient lab";

// The whole window while the lesson opened at launch is built: its progress line, centred.
void draw_opening_screen(const AppState& app) {
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  if (ImGui::Begin("##opening", nullptr, flags)) {
    const std::string text = app.opening ? app.opening->progress() : "";
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    ImGui::SetCursorPos(ImVec2(std::max(0.0f, (io.DisplaySize.x - size.x) / 2), io.DisplaySize.y / 2 - size.y));
    ImGui::TextUnformatted(text.c_str());
  }
  ImGui::End();
}

// The first step of `block` at or after `from`, else the first anywhere; `from` when none.
int first_step_in(const Trace& trace, Sublayer block, int from) {
  for (int pass = 0; pass < 2; ++pass)
    for (int i = pass == 0 ? from : 0; i < trace.step_count(); ++i)
      if (trace.step(i).where.sublayer == block) return i;
  return from;
}

}  // namespace

std::string window_title(const AppState& app) {
  if (!app.lesson || app.lesson->title.en.empty()) return "attnviz";
  return "attnviz — " + app.lesson->title.in(app.language);
}

void Ui::draw(const AppState& app, Selection& selection, Commands& commands) {
  const FigureFrame figures(app, commands);
  if (app.stand_in) {
    draw_opening_screen(app);
    return;
  }
  if (app.session.trace().step_count() == 0) return;
  panel<GradLabTransformerPanel>(PanelId::gradlab_transformer).threaded = !wait_for_results;
  key_commands(keys, app, selection, commands);
  if (app.presenter) {
    presenter(app, selection, commands);
    menu_.files.dialogs(app, commands);  // a figure's Save picture…
    return;
  }
  const auto is_shown = [this](PanelId id) { return shown(id); };
  if (const std::optional<PanelId> chosen = menu_.draw(app, selection, commands, controls_.step_in_menu(), is_shown))
    shown(*chosen) ? hide(*chosen) : show(*chosen);
  const ImGuiIO& io = ImGui::GetIO();
  const Place place =
      tiling_.begin_frame({io.DisplaySize, menu_.height, ImGui::GetFontSize(), ImGui::GetFrameHeightWithSpacing(),
                           ImGui::GetFrameHeight(), controls_.height(), detail().needed_height(), chain_open_},
                          fixed_layout);
  if (view == PanelId::overview)
    overview(app, selection, commands, place);
  else
    alone(app, selection, commands);
  menu_.files.dialogs(app, commands);
  tiling_.end_frame(place);
  if (const std::optional<PanelId> asked = panels_.take_show_request()) show(*asked);
  if (panel<TourPanel>(PanelId::tour).take_capture_request()) add_stop_here(app, selection, commands);
}

// The stop "Add this view as a stop" asks for, after the one shown: the cursor's step, the panel
// in front (a gradient-lab page, else the centre tab), the selection, the text size.
void Ui::add_stop_here(const AppState& app, const Selection& selection, Commands& commands) {
  if (!app.lesson || app.tour_away) return;  // away: this lesson is not the tour's
  std::vector<TourStop> tour = app.lesson->tour;
  const PanelId front = gradlab_open_ ? lab_shown_ : centre_.shown();
  const int at = std::clamp(app.tour_stop + 1, 0, static_cast<int>(tour.size()));
  tour.insert(tour.begin() + at, stop_here(app, selection, front, at + 1));
  commands.push(SetTour{std::move(tour), at});
}

// Presenter mode: no menus; the tour stop's panel (the step detail without one) fills the window
// above a caption with the stop's title and note, "stop k of n" and the keys that move on.
void Ui::presenter(const AppState& app, Selection& selection, Commands& commands) {
  const ImGuiIO& io = ImGui::GetIO();
  const TourStop* stop = app.shown_tour_stop();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float caption_h = std::min(io.DisplaySize.y * 0.3f, line * 6.5f);
  PanelId shown_panel = PanelId::detail;
  if (stop && !stop->panel.empty())
    if (const std::optional<PanelId> p = panel_named(stop->panel); p && panel_info(*p).home != Home::whole)
      shown_panel = *p;
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse;
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, io.DisplaySize.y - caption_h));
  if (ImGui::Begin(panel_info(shown_panel).window_label().c_str(), nullptr, fixed)) {
    if (panel_info(shown_panel).home == Home::centre_tab)
      centre_.draw_tab(panels_, shown_panel, app, selection, commands);
    else
      panels_[shown_panel].draw(app, selection, commands);
  }
  ImGui::End();
  ImGui::SetNextWindowPos(ImVec2(0, io.DisplaySize.y - caption_h));
  ImGui::SetNextWindowSize(ImVec2(io.DisplaySize.x, caption_h));
  if (ImGui::Begin("Presenter caption", nullptr, fixed | ImGuiWindowFlags_NoTitleBar))  // not translated: no title bar
    presenter_caption(app, stop);
  ImGui::End();
}

void Ui::presenter_caption(const AppState& app, const TourStop* stop) {
  const int n = app.tour_length();
  if (stop) {
    ImGui::SetWindowFontScale(1.2f);
    ImGui::TextWrapped("%s", stop->title.in(app.language).c_str());
    ImGui::SetWindowFontScale(1.0f);
    ImGui::TextWrapped("%s", stop->note.in(app.language).c_str());
  }
  ImGui::TextDisabled(
      "%s", n == 0 ? tr("This lesson has no tour.   Esc leaves presenter mode.")
                   : formatted(tr("stop %d of %d   PageDown / PageUp: next / previous   Esc leaves presenter mode"),
                               app.tour_stop + 1, n)
                         .c_str());
}

void Ui::alone(const AppState& app, Selection& selection, Commands& commands) {
  const PanelInfo& info = panel_info(view);
  if (tiling_.begin(info.window_label().c_str(), &Layout::single, Place::all,
                    ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize)) {
    if (info.home == Home::centre_tab)
      centre_.draw_tab(panels_, view, app, selection, commands);
    else
      panels_[view].draw(app, selection, commands);
  }
  ImGui::End();
}

void Ui::overview(const AppState& app, Selection& selection, Commands& commands, Place place) {
  if (tiling_.begin(labelled("Controls and sentences").c_str(), &Layout::controls, place) &&
      controls_.draw(app, selection, commands))
    tiling_.ask(Place::tiled);
  ImGui::End();
  const LabCover cover = cover_with_lab(place);
  // The centre first: what it hovers lights up in the navigator drawn after it.
  if (!cover.covering) {
    if (tiling_.begin(panel_info(PanelId::detail).label().c_str(), &Layout::detail, place))
      centre_.draw(panels_, app, selection, commands);
    ImGui::End();
  }
  if (tiling_.begin(panel_info(PanelId::architecture).label().c_str(), &Layout::navigator, place,
                    ImGuiWindowFlags_HorizontalScrollbar))
    panels_[PanelId::architecture].draw(app, selection, commands);
  ImGui::End();
  if (tiling_.begin(panel_info(PanelId::steps).label().c_str(), &Layout::steps, place))
    panels_[PanelId::steps].draw(app, selection, commands);
  ImGui::End();
  if (!cover.covering) chain_window(app, selection, commands, place);
  if (gradlab_open_) lab_window(cover, app, selection, commands);
  floating_windows(app, selection, commands, place);
}

// The gradient lab covers the step detail and the chain rule, so that the navigator and the step
// list stay in view when a bar moves the step cursor.  Where it covers them exactly they are not
// drawn and it needs no background (the app clears to the panel colour); moved or resized, it gets
// one and they are drawn again.  Opening it, or re-tiling, places it over them and in front.
Ui::LabCover Ui::cover_with_lab(Place place) {
  const Rect over = detail_and_chain(tiling_.layout()), placed_over = detail_and_chain(tiling_.placed());
  LabCover cover;
  cover.opening = gradlab_open_ && !gradlab_was_open_;
  gradlab_was_open_ = gradlab_open_;
  const ImGuiWindow* lab = ImGui::FindWindowByName(lab_id);
  const auto lab_at = [&](const Rect& r) {
    return lab && same_place(lab->Pos, r.pos) && same_place(lab->Size, r.size);
  };
  cover.place = place == Place::all || cover.opening || (place == Place::tiled && lab_at(placed_over));
  cover.covering = gradlab_open_ && (cover.place || !lab || lab_at(over));
  // Covered panels are not drawn; re-tiled meanwhile, they take their places without a frame.
  if (cover.covering && place != Place::none) {
    const Layout& l = tiling_.layout();
    for (const auto& [id, rect] : {std::pair{PanelId::detail, l.detail}, std::pair{PanelId::chain_rule, l.chain}}) {
      ImGui::SetWindowPos(panel_info(id).label().c_str(), rect.pos);
      ImGui::SetWindowSize(panel_info(id).label().c_str(), rect.size);
    }
  }
  return cover;
}

void Ui::lab_window(const LabCover& cover, const AppState& app, Selection& selection, Commands& commands) {
  const Rect over = detail_and_chain(tiling_.layout());
  ImGui::SetNextWindowPos(over.pos, cover.place ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(over.size, cover.place ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
  if (!cover.covering) ImGui::SetNextWindowBgAlpha(1.0f);
  if (focus_gradlab_ || cover.opening) ImGui::SetNextWindowFocus();
  focus_gradlab_ = false;
  if (ImGui::Begin(labelled(lab_title).c_str(), &gradlab_open_, ImGuiWindowFlags_NoCollapse) &&
      ImGui::BeginTabBar("gradlab")) {
    const std::optional<PanelId> open = std::exchange(lab_open_, std::nullopt);
    for (const PanelInfo& page : panel_table()) {
      const ImGuiTabItemFlags flags = open == page.id ? ImGuiTabItemFlags_SetSelected : 0;
      if (page.home != Home::gradient_lab || !ImGui::BeginTabItem(page.label().c_str(), nullptr, flags)) continue;
      lab_shown_ = page.id;
      panels_[page.id].draw(app, selection, commands);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

// The chain rule; under the detail (two columns) the user may fold it to its title bar and open
// it again, and that choice holds until Reset layout.
void Ui::chain_window(const AppState& app, Selection& selection, Commands& commands, Place place) {
  const bool foldable = !tiling_.layout().three_columns;
  const ImGuiWindowFlags flags = foldable ? 0 : ImGuiWindowFlags_NoCollapse;
  const bool drawn = tiling_.begin(panel_info(PanelId::chain_rule).label().c_str(), &Layout::chain, place, flags,
                                   foldable && tiling_.layout().chain_folded);
  const bool folded = ImGui::IsWindowCollapsed();
  if (foldable && !tiling_.placed_last() && folded != chain_shown_folded_) {
    chain_open_ = !folded;
    tiling_.ask(Place::tiled);
  }
  chain_shown_folded_ = folded;
  if (drawn) panels_[PanelId::chain_rule].draw(app, selection, commands);
  ImGui::End();
}

// Over the chain rule, so that the step detail stays in view.
void Ui::floating_windows(const AppState& app, Selection& selection, Commands& commands, Place place) {
  for (const PanelInfo& info : panel_table()) {
    if (info.home != Home::floating || !floating_[static_cast<std::size_t>(info.id)]) continue;
    ImGui::SetNextWindowBgAlpha(1.0f);
    // The tour over the step list, the comparison of models over the step detail (it needs the
    // width), the training panel over the chain rule.
    Rect Layout::*rect = info.id == PanelId::tour            ? &Layout::steps
                         : info.id == PanelId::why_attention ? &Layout::detail
                                                             : &Layout::training;
    if (tiling_.begin(info.window_label().c_str(), rect, place)) panels_[info.id].draw(app, selection, commands);
    ImGui::End();
  }
}

void Ui::show(PanelId id) {
  if (view != PanelId::overview) {
    view = id;
    return;
  }
  switch (panel_info(id).home) {
    case Home::whole: break;
    case Home::tiled:
      if (id == PanelId::detail) centre_.open(id);
      if (id == PanelId::chain_rule && chain_shown_folded_) {
        chain_open_ = true;
        tiling_.ask(Place::tiled);
      }
      break;
    case Home::centre_tab: centre_.open(id); break;
    case Home::gradient_lab:
      gradlab_open_ = focus_gradlab_ = true;
      lab_open_ = id;
      break;
    case Home::floating: floating_[static_cast<std::size_t>(id)] = true; break;
  }
}

void Ui::hide(PanelId id) {
  if (panel_info(id).home == Home::gradient_lab) gradlab_open_ = false;
  if (panel_info(id).home == Home::floating) floating_[static_cast<std::size_t>(id)] = false;
}

bool Ui::shown(PanelId id) const {
  if (view != PanelId::overview) return view == id;
  switch (panel_info(id).home) {
    case Home::whole: return true;
    case Home::tiled:
      return id == PanelId::detail ? centre_.shown() == id : id != PanelId::chain_rule || !chain_shown_folded_;
    case Home::centre_tab: return centre_.shown() == id;
    case Home::gradient_lab: return gradlab_open_ && lab_shown_ == id;
    case Home::floating: return floating_[static_cast<std::size_t>(id)];
  }
  return false;
}

void Ui::open_lesson_panel(const AppState& app, Selection& selection) {
  if (!app.lesson) return;
  const LessonOpening opening = lesson_opening(*app.lesson);
  if (opening.block) go_to_step(app, selection, first_step_in(app.session.trace(), *opening.block, selection.step));
  show(opening.panel);
}

}  // namespace attnviz::views

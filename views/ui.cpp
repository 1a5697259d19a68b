#include "views/ui.h"
#include "model/number_format.h"
#include "views/plot.h"
#include "views/tooltip_button.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnviz::views {

const char* to_string(View view) {
  switch (view) {
    case View::overview: return "overview";
    case View::navigator: return "navigator";
    case View::steps: return "steps";
    case View::detail: return "detail";
    case View::chain: return "chain";
    case View::heads: return "heads";
    case View::attention: return "attention";
    case View::mask: return "mask";
    case View::pe: return "pe";
    case View::output: return "output";
    case View::gradlab_scalar: return "gradlab-scalar";
    case View::gradlab_depth: return "gradlab-depth";
    case View::gradlab_transformer: return "gradlab-transformer";
    case View::training: return "training";
  }
  return "";
}

std::optional<View> view_from_string(std::string_view name) {
  for (View v : {View::overview, View::navigator, View::steps, View::detail, View::chain, View::heads, View::attention,
                 View::mask, View::pe, View::output, View::gradlab_scalar, View::gradlab_depth,
                 View::gradlab_transformer, View::training})
    if (name == to_string(v)) return v;
  return std::nullopt;
}

std::string step_in_words(const Trace& trace, int step) {
  char text[64];
  std::snprintf(text, sizeof text, "Step %d of 0–%d  %s", step, trace.step_count() - 1,
                trace.step(step).phase == Phase::backward ? "backward" : "forward");
  return text;
}

std::string window_title(const AppState& app) {
  if (!app.lesson || app.lesson->title.empty()) return "attnviz";
  return "attnviz — " + app.lesson->title;
}

int twin_step(const Trace& trace, int step) {
  if (step < 0 || step >= trace.step_count()) return step;
  const int twin = trace.step(step).twin;
  if (twin >= 0) return twin;
  // Steps without a twin (the loss, say): the nearest earlier step that has one.
  for (int i = step - 1; i >= 0; --i)
    if (trace.step(i).twin >= 0) return trace.step(i).twin;
  return step;
}

// Three columns (wide display):             Two columns (narrow display or large text):
//  ┌──────── controls + sentences ──────┐     ┌──────── controls + sentences ──────┐
//  │ navigator │ step detail │ chain    │     │ navigator │ step detail            │
//  ├───────────┤   44%       │ rule 30% │     ├───────────┤                        │
//  │ steps 26% │             │          │     │ steps 34% ├────────────────────────┤
//  └───────────┴─────────────┴──────────┘     └───────────┴ chain rule ────────────┘
// The step list takes 40–50 % of the left column (9 rows where it can); the chain rule under the
// detail 25–30 % of the body (5 rows where it can), or only its title bar when the detail needs
// the rest for its header and first heatmap.
Layout compute_layout(const LayoutInput& in) {
  Layout l;
  const float w = in.display.x, top = in.menu_h;
  const float controls_h = std::min(in.display.y * 0.4f, in.controls_h > 0 ? in.controls_h : in.line_h * 5.3f);
  const float body_y = top + controls_h, body_h = std::max(1.0f, in.display.y - body_y);
  l.three_columns = w >= in.font * 88;
  const float nav_w = std::round(w * (l.three_columns ? 0.26f : 0.34f));
  const float chain_w = l.three_columns ? std::round(w * 0.30f) : 0;
  const float detail_w = w - nav_w - chain_w;
  const float steps_h = std::min(body_h * 0.5f, std::max(body_h * 0.4f, in.line_h * 9));
  const float nav_h = body_h - steps_h;
  l.controls = {ImVec2(0, top), ImVec2(w, controls_h)};
  l.navigator = {ImVec2(0, body_y), ImVec2(nav_w, nav_h)};
  l.steps = {ImVec2(0, body_y + nav_h), ImVec2(nav_w, steps_h)};
  if (l.three_columns) {
    l.detail = {ImVec2(nav_w, body_y), ImVec2(detail_w, body_h)};
    l.chain = {ImVec2(nav_w + detail_w, body_y), ImVec2(chain_w, body_h)};
  } else {
    const float open_h = std::min(body_h * 0.3f, std::max(body_h * 0.25f, in.line_h * 5));
    l.chain_folded = in.chain_open ? !*in.chain_open : body_h - open_h < in.detail_need;
    const float chain_h = l.chain_folded ? std::min(in.title_h, body_h * 0.5f) : open_h;
    l.detail = {ImVec2(nav_w, body_y), ImVec2(detail_w, body_h - chain_h)};
    l.chain = {ImVec2(nav_w, body_y + body_h - chain_h), ImVec2(detail_w, chain_h)};
  }
  l.single = {ImVec2(0, top), ImVec2(w, std::max(1.0f, in.display.y - top))};
  l.training = l.chain;
  if (l.chain_folded) l.training = {ImVec2(nav_w, body_y + body_h * 0.5f), ImVec2(detail_w, body_h * 0.5f)};
  return l;
}

namespace {

bool key_pressed(int index, bool repeat = true) { return index >= 0 && ImGui::IsKeyPressed(index, repeat); }

// (ImGui rounds window positions and sizes to whole pixels.)
bool same_place(ImVec2 a, ImVec2 b) { return std::abs(a.x - b.x) < 1.5f && std::abs(a.y - b.y) < 1.5f; }

}  // namespace

// Begins the panel window at `layout_.*rect` when `place` asks for it (Place::tiled: only if it is
// where the last placing put it), or the first time (unless layout.ini says where), otherwise where
// it is.  Windows draw no background where the layout tiles the screen (the app clears to the panel
// colour); one the user moved or resized may overlap others and gets its own.  `folded` (when
// placing): the window shows its title bar only.
bool Ui::begin_panel(const char* title, Rect Layout::*rect, Place place, ImGuiWindowFlags flags,
                     std::optional<bool> folded) {
  const Rect& want = layout_.*rect;
  const ImGuiWindow* window = ImGui::FindWindowByName(title);
  const ImVec2 least = ImGui::GetStyle().WindowMinSize;  // ImGui's smallest window
  const auto at = [&](const Rect& r) {
    return same_place(window->Pos, r.pos) && same_place(window->SizeFull, ImMax(r.size, least));
  };
  const bool put = window && (place == Place::all || (place == Place::tiled && at(placed_.*rect)));
  if (window && !put && !at(want)) ImGui::SetNextWindowBgAlpha(1.0f);
  const ImGuiCond cond = put ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  ImGui::SetNextWindowPos(want.pos, cond);
  ImGui::SetNextWindowSize(want.size, cond);
  if (folded) ImGui::SetNextWindowCollapsed(*folded, cond);
  if (!folded) flags |= ImGuiWindowFlags_NoCollapse;
  placed_now_ = put || !window;
  return ImGui::Begin(title, nullptr, flags);
}

void Ui::keyboard(const AppState& app, const Selection& selection, Commands& commands) const {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  const Trace& trace = app.session.trace();
  const int last = trace.step_count() - 1;
  const int step = selection.step;
  if (io.KeyCtrl) {
    if (key_pressed(keys.equal, false) || key_pressed(keys.keypad_add, false))
      commands.push(SetUiScale{larger_text_size(app.ui_scale)});
    if (key_pressed(keys.minus, false) || key_pressed(keys.keypad_subtract, false))
      commands.push(SetUiScale{smaller_text_size(app.ui_scale)});
    if (key_pressed(keys.zero, false) || key_pressed(keys.keypad_0, false)) commands.push(SetUiScale{1.0f});
    return;
  }
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_RightArrow)))
    commands.push(GoToStep{io.KeyShift ? app.index.next_sublayer(step) : step + 1});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_LeftArrow)))
    commands.push(GoToStep{io.KeyShift ? app.index.previous_sublayer(step) : step - 1});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_Home), false)) commands.push(GoToStep{0});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_End), false)) commands.push(GoToStep{last});
  if (key_pressed(ImGui::GetKeyIndex(ImGuiKey_Space), false)) commands.push(SetPlaying{!app.playing});
  if (key_pressed(keys.b, false)) commands.push(GoToStep{twin_step(trace, step)});
}

void Ui::menu_bar(const AppState& app, const Selection& selection, Commands& commands) {
  if (!ImGui::BeginMainMenuBar()) return;
  menu_h_ = ImGui::GetWindowSize().y;
  if (ImGui::BeginMenu("File")) {
    files_.items(app, commands);
    if (ImGui::MenuItem("Quit")) commands.push(Quit{});
    ImGui::EndMenu();
  }
  if (ImGui::BeginMenu("View")) {
    if (ImGui::MenuItem("Light theme (projector)", nullptr, app.theme == Theme::light))
      commands.push(SetTheme{Theme::light});
    if (ImGui::MenuItem("Dark theme", nullptr, app.theme == Theme::dark)) commands.push(SetTheme{Theme::dark});
    ImGui::Separator();
    if (ImGui::MenuItem("Larger text", "Ctrl +")) commands.push(SetUiScale{larger_text_size(app.ui_scale)});
    if (ImGui::MenuItem("Smaller text", "Ctrl −")) commands.push(SetUiScale{smaller_text_size(app.ui_scale)});
    for (float size : text_sizes) {
      char label[32];
      std::snprintf(label, sizeof label, "Text size %d %%", static_cast<int>(std::lround(size * 100)));
      if (ImGui::MenuItem(label, size == 1.0f ? "Ctrl 0" : nullptr, std::abs(app.ui_scale - size) < 1e-3f))
        commands.push(SetUiScale{size});
    }
    ImGui::Separator();
    if (ImGui::MenuItem("Gradient lab", nullptr, gradlab_open)) {
      gradlab_open = !gradlab_open;
      focus_gradlab_ = gradlab_open;
    }
    if (ImGui::MenuItem("Reset layout")) commands.push(ResetLayout{});
    ImGui::Separator();
    if (ImGui::MenuItem("Training panel", nullptr, show_training)) show_training = !show_training;
    ImGui::EndMenu();
  }
  if (!app.notice.empty())
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette(app.theme).warning), "%s", app.notice.c_str());
  if (app.opening)
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette(app.theme).accent), "%s", app.opening->progress().c_str());
  const Trace& trace = app.session.trace();
  char status[224];
  std::snprintf(status, sizeof status, "%s%s%s %s   ·   text %d %%",
                step_in_menu_ ? step_in_words(trace, selection.step).c_str() : "", step_in_menu_ ? "   ·   " : "",
                app.session.fixed_attention() ? "loss L = Σ O" : "loss on this sentence pair",
                format_significant(trace.loss(), 4).c_str(), static_cast<int>(std::lround(app.ui_scale * 100)));
  const float status_x = ImGui::GetWindowWidth() - ImGui::CalcTextSize(status).x - ImGui::GetFontSize();
  if (status_x > ImGui::GetCursorPosX() + ImGui::GetFontSize()) {
    ImGui::SetCursorPosX(status_x);
    ImGui::TextDisabled("%s", status);
  }
  ImGui::EndMainMenuBar();
}

namespace {

// The width of a button labelled `label`.
float button_w(const char* label) { return ImGui::CalcTextSize(label, nullptr, true).x + ImGui::GetStyle().FramePadding.x * 2; }

// A tooltip button on the same row when it fits, else at the start of the next.
bool wrapped_button(const char* label, const char* tooltip, bool enabled = true) {
  same_line_if_fits(button_w(label));
  return tooltip_button(label, tooltip, enabled);
}

}  // namespace

// The controls wrap onto as many rows as the window's width needs; the window asks for the height
// they and the sentence bar take (controls_h_), and the panels re-tile when it changes.
namespace {
// "Lesson: Self-attention by hand — Worked example A of the notes: …" on one line, the
// description cut with "…" where the window ends and whole in a tooltip.
void lesson_title(const AppState& app) {
  const Palette& pal = palette(app.theme);
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.accent), "Lesson: %s", app.lesson->title.c_str());
  const std::string& description = app.lesson->description;
  if (description.empty()) return;
  ImGui::SameLine();
  const float room = ImGui::GetContentRegionAvail().x;
  std::string shown = "— " + description;
  if (ImGui::CalcTextSize(shown.c_str()).x > room) {
    std::size_t end = shown.size();
    while (end > 0 && ImGui::CalcTextSize((shown.substr(0, end) + "…").c_str()).x > room) {
      do --end;
      while (end > 0 && (static_cast<unsigned char>(shown[end]) & 0xC0) == 0x80);  // whole UTF-8 characters
    }
    shown = shown.substr(0, end) + "…";
  }
  ImGui::TextDisabled("%s", shown.c_str());
  if (ImGui::IsItemHovered()) {
    ImGui::BeginTooltip();
    ImGui::PushTextWrapPos(ImGui::GetFontSize() * 35);
    ImGui::TextUnformatted(description.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

// Under the title: the lesson's reference checked ("✓ agrees with PyTorch …", in red when it
// disagrees) and its notes (keys accepted but ignored).
void lesson_checks(const AppState& app) {
  const Palette& pal = palette(app.theme);
  if (app.reference) {
    const ReferenceCheck& r = *app.reference;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(r.agrees ? pal.ok : pal.warning));
    ImGui::TextWrapped("%s This model %s", r.agrees ? "✓" : "✗", r.message.c_str());
    ImGui::PopStyleColor();
  }
  for (const std::string& note : app.lesson->notes) ImGui::TextDisabled("Note: %s", note.c_str());
}

void lesson_line(const AppState& app) {
  if (!app.lesson || app.lesson->title.empty()) return;
  lesson_title(app);
  lesson_checks(app);
}
}  // namespace

void Ui::controls(const AppState& app, Selection& selection, Commands& commands) {
  const Trace& trace = app.session.trace();
  const int step = selection.step, last = trace.step_count() - 1;
  const bool backward = trace.step(step).phase == Phase::backward;
  if (tooltip_button("Home", "First step (Home)", step > 0)) commands.push(GoToStep{0});
  if (wrapped_button("◀◀ Block", "Previous sublayer (Shift + ←)", step > 0))
    commands.push(GoToStep{app.index.previous_sublayer(step)});
  if (wrapped_button("◀ Step", "Previous step (←)", step > 0)) commands.push(GoToStep{step - 1});
  if (wrapped_button("Step ▶", "Next step (→)", step < last)) commands.push(GoToStep{step + 1});
  if (wrapped_button("Block ▶▶", "Next sublayer (Shift + →)", step < last))
    commands.push(GoToStep{app.index.next_sublayer(step)});
  if (wrapped_button("End", "Last step (End)", step < last)) commands.push(GoToStep{last});
  if (wrapped_button(app.playing ? "Pause" : "Play", "Play or pause (Space)")) commands.push(SetPlaying{!app.playing});
  float speed = app.play_speed;
  same_line_if_fits(ImGui::GetFontSize() * 9);
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 9);
  if (ImGui::SliderFloat("##speed", &speed, 0.5f, 20.0f, "%.1f steps/s", ImGuiSliderFlags_Logarithmic))
    commands.push(SetPlaySpeed{speed});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Playback speed");
  if (wrapped_button(backward ? "To forward (B)" : "To backward (B)", "Jump between a forward step and its backward twin (B)"))
    commands.push(GoToStep{twin_step(trace, step)});
  // Where the cursor is, at the end of the row when it fits there, else in the menu bar.
  const std::string where = step_in_words(trace, step);
  const float where_w = ImGui::CalcTextSize(where.c_str()).x;
  step_in_menu_ = ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + where_w >
                  ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (!step_in_menu_) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(backward ? palette(app.theme).backward_arrow : palette(app.theme).accent),
                       "%s", where.c_str());
  }
  ImGui::Separator();
  lesson_line(app);
  sentences_.draw(app, selection, commands);
  const float needed = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + ImGui::GetStyle().WindowPadding.y;
  if (std::abs(needed - controls_h_) > 1.0f) {
    controls_h_ = needed;
    pending_place_ = std::max(pending_place_, Place::tiled);
  }
}

namespace {

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

}  // namespace

void Ui::draw(const AppState& app, Selection& selection, Commands& commands) {
  if (app.stand_in) {
    draw_opening_screen(app);
    return;
  }
  if (app.session.trace().step_count() == 0) return;
  gradlab_.transformer.threaded = !wait_for_results;
  keyboard(app, selection, commands);
  menu_bar(app, selection, commands);
  const ImGuiIO& io = ImGui::GetIO();
  layout_ = compute_layout({io.DisplaySize, menu_h_, ImGui::GetFontSize(), ImGui::GetFrameHeightWithSpacing(),
                            ImGui::GetFrameHeight(), controls_h_, detail_.needed_height(), chain_open_});
  const bool resized = display_.x > 0 && (display_.x != io.DisplaySize.x || display_.y != io.DisplaySize.y);
  // The first frame places new windows and notes where (Place::tiled with nothing placed before).
  const Place place = fixed_layout || resized ? Place::all : display_.x == 0 ? Place::tiled : pending_place_;
  display_ = io.DisplaySize;
  pending_place_ = layout_.chain_folded != placed_.chain_folded ? Place::tiled : Place::none;
  const ImGuiWindowFlags single = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize;
  Rect Layout::*const whole = &Layout::single;

  switch (view) {
    case View::overview: overview(app, selection, commands, place); break;
    case View::gradlab_scalar:
      if (begin_panel("Gradient lab: the scalar chain", whole, Place::all, single))
        gradlab_.scalar.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::gradlab_depth:
      if (begin_panel("Gradient lab: depth", whole, Place::all, single)) gradlab_.depth.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::gradlab_transformer:
      if (begin_panel("Gradient lab: inside the Transformer", whole, Place::all, single))
        gradlab_.transformer.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::navigator:
      if (begin_panel("Architecture", whole, Place::all, single)) navigator_.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::steps:
      if (begin_panel("Steps", whole, Place::all, single)) steps_.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::detail:
      if (begin_panel("Step detail", whole, Place::all, single)) detail_.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::chain:
      if (begin_panel("Chain rule", whole, Place::all, single)) chain_.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::heads:
    case View::attention:
    case View::mask:
    case View::pe:
    case View::output: {
      const LinkedPage page = view == View::heads       ? LinkedPage::heads
                              : view == View::attention ? LinkedPage::attention
                              : view == View::mask      ? LinkedPage::mask
                              : view == View::pe        ? LinkedPage::pe
                                                        : LinkedPage::output;
      if (begin_panel(page_title(page), whole, Place::all, single)) linked_.draw(page, app, selection, commands);
      ImGui::End();
      if (const std::optional<LinkedPage> asked = linked_.take_page_request()) {
        if (*asked == LinkedPage::attention) view = View::attention;
      }
      break;
    }
    case View::training:
      if (begin_panel("Training", whole, Place::all, single)) training_.draw(app, selection, commands);
      ImGui::End();
      break;
  }
  files_.dialogs(app, commands);
  if (place != Place::none) placed_ = layout_;
}

// The rectangle the step detail and the chain rule tile together.
Rect detail_and_chain(const Layout& l) {
  const ImVec2 max(std::max(l.detail.pos.x + l.detail.size.x, l.chain.pos.x + l.chain.size.x),
                   std::max(l.detail.pos.y + l.detail.size.y, l.chain.pos.y + l.chain.size.y));
  return {l.detail.pos, ImVec2(max.x - l.detail.pos.x, max.y - l.detail.pos.y)};
}

// The gradient lab covers the step detail and the chain rule, so that the navigator and the step
// list stay in view when a bar moves the step cursor.  Where it covers them exactly they are not
// drawn and it needs no background (the app clears to the panel colour); moved or resized, it gets
// one and they are drawn again.  Opening it, or re-tiling, places it over them and in front.
void Ui::overview(const AppState& app, Selection& selection, Commands& commands, Place place) {
  if (begin_panel("Controls and sentences", &Layout::controls, place)) controls(app, selection, commands);
  ImGui::End();
  const Rect over = detail_and_chain(layout_), placed_over = detail_and_chain(placed_);
  const bool opening = gradlab_open && !gradlab_was_open_;
  gradlab_was_open_ = gradlab_open;
  const ImGuiWindow* lab = ImGui::FindWindowByName("Gradient lab");
  const auto lab_at = [&](const Rect& r) { return lab && same_place(lab->Pos, r.pos) && same_place(lab->Size, r.size); };
  const bool place_lab = place == Place::all || opening || (place == Place::tiled && lab_at(placed_over));
  const bool covering = gradlab_open && (place_lab || !lab || lab_at(over));
  // Covered panels are not drawn; re-tiled meanwhile, they take their places without a frame.
  if (covering && place != Place::none) {
    for (const auto& [title, rect] : {std::pair{"Step detail", layout_.detail}, std::pair{"Chain rule", layout_.chain}}) {
      ImGui::SetWindowPos(title, rect.pos);
      ImGui::SetWindowSize(title, rect.size);
    }
  }
  // The centre first: what it hovers lights up in the navigator drawn after it.
  if (!covering) {
    if (begin_panel("Step detail", &Layout::detail, place)) centre(app, selection, commands);
    ImGui::End();
  }
  if (begin_panel("Architecture", &Layout::navigator, place, ImGuiWindowFlags_HorizontalScrollbar))
    navigator_.draw(app, selection, commands);
  ImGui::End();
  if (begin_panel("Steps", &Layout::steps, place)) steps_.draw(app, selection, commands);
  ImGui::End();
  if (!covering) chain_panel(app, selection, commands, place);
  if (gradlab_open) {
    ImGui::SetNextWindowPos(over.pos, place_lab ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(over.size, place_lab ? ImGuiCond_Always : ImGuiCond_FirstUseEver);
    if (!covering) ImGui::SetNextWindowBgAlpha(1.0f);
    if (focus_gradlab_ || opening) ImGui::SetNextWindowFocus();
    focus_gradlab_ = false;
    if (ImGui::Begin("Gradient lab", &gradlab_open, ImGuiWindowFlags_NoCollapse)) gradlab_.draw_tabs(app, selection, commands);
    ImGui::End();
  }
  if (show_training) {
    ImGui::SetNextWindowBgAlpha(1.0f);
    if (begin_panel("Training", &Layout::training, place)) training_.draw(app, selection, commands);
    ImGui::End();
  }
}

// The chain rule; under the detail (two columns) the user may fold it to its title bar and open
// it again, and that choice holds until Reset layout.
void Ui::chain_panel(const AppState& app, Selection& selection, Commands& commands, Place place) {
  const bool foldable = !layout_.three_columns;
  const ImGuiWindowFlags flags = foldable ? 0 : ImGuiWindowFlags_NoCollapse;
  const bool shown = begin_panel("Chain rule", &Layout::chain, place, flags, foldable && layout_.chain_folded);
  const bool folded = ImGui::IsWindowCollapsed();
  if (foldable && !placed_now_ && folded != chain_shown_folded_) {
    chain_open_ = !folded;
    pending_place_ = Place::tiled;
  }
  chain_shown_folded_ = folded;
  if (shown) chain_.draw(app, selection, commands);
  ImGui::End();
}

void Ui::show_lesson_panel(std::string_view panel) {
  if (panel == "heads") open_page = LinkedPage::heads;
  else if (panel == "attention") open_page = LinkedPage::attention;
  else if (panel == "positional") open_page = LinkedPage::pe;
  else if (panel == "output") open_page = LinkedPage::output;
  else if (panel == "training") show_training = true;
}

// The centre window: the step detail and the linked panels as tabs.
void Ui::centre(const AppState& app, Selection& selection, Commands& commands) {
  if (!ImGui::BeginTabBar("pages", ImGuiTabBarFlags_FittingPolicyScroll)) return;
  const std::optional<LinkedPage> open = open_page;
  open_page.reset();
  if (ImGui::BeginTabItem("Step detail")) {
    detail_.draw(app, selection, commands);
    ImGui::EndTabItem();
  }
  for (LinkedPage page : linked_pages) {
    const ImGuiTabItemFlags flags = open == page ? ImGuiTabItemFlags_SetSelected : 0;
    if (ImGui::BeginTabItem(page_title(page), nullptr, flags)) {
      ImGui::BeginChild("page");
      linked_.draw(page, app, selection, commands);
      ImGui::EndChild();
      ImGui::EndTabItem();
    }
  }
  ImGui::EndTabBar();
  open_page = linked_.take_page_request();
}

}  // namespace attnviz::views

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
// detail 25–30 % of the body (5 rows where it can): the step detail keeps the most room.
Layout compute_layout(ImVec2 display, float menu_h, float font, float line_h, float controls_h) {
  Layout l;
  const float w = display.x, top = menu_h;
  if (controls_h <= 0) controls_h = line_h * 5.3f;
  controls_h = std::min(display.y * 0.4f, controls_h);
  const float body_y = top + controls_h, body_h = std::max(1.0f, display.y - body_y);
  l.three_columns = w >= font * 88;
  const float nav_w = std::round(w * (l.three_columns ? 0.26f : 0.34f));
  const float chain_w = l.three_columns ? std::round(w * 0.30f) : 0;
  const float detail_w = w - nav_w - chain_w;
  const float steps_h = std::min(body_h * 0.5f, std::max(body_h * 0.4f, line_h * 9));
  const float nav_h = body_h - steps_h;
  l.controls = {ImVec2(0, top), ImVec2(w, controls_h)};
  l.navigator = {ImVec2(0, body_y), ImVec2(nav_w, nav_h)};
  l.steps = {ImVec2(0, body_y + nav_h), ImVec2(nav_w, steps_h)};
  if (l.three_columns) {
    l.detail = {ImVec2(nav_w, body_y), ImVec2(detail_w, body_h)};
    l.chain = {ImVec2(nav_w + detail_w, body_y), ImVec2(chain_w, body_h)};
  } else {
    const float chain_h = std::min(body_h * 0.3f, std::max(body_h * 0.25f, line_h * 5));
    l.detail = {ImVec2(nav_w, body_y), ImVec2(detail_w, body_h - chain_h)};
    l.chain = {ImVec2(nav_w, body_y + body_h - chain_h), ImVec2(detail_w, chain_h)};
  }
  l.single = {ImVec2(0, top), ImVec2(w, std::max(1.0f, display.y - top))};
  l.training = l.chain;
  return l;
}

namespace {

bool key_pressed(int index, bool repeat = true) { return index >= 0 && ImGui::IsKeyPressed(index, repeat); }

// Begins a panel window at `rect` (always when `place`, otherwise only the first time).
// Windows draw no background where the layout tiles the screen (the app clears to the panel
// colour); one the user moved or resized may overlap others and gets its own.
bool begin_panel(const char* title, const Rect& rect, bool place, ImGuiWindowFlags flags = 0) {
  const ImGuiCond cond = place ? ImGuiCond_Always : ImGuiCond_FirstUseEver;
  const ImGuiWindow* window = ImGui::FindWindowByName(title);
  const auto moved = [](ImVec2 a, ImVec2 b) { return std::abs(a.x - b.x) > 0.5f || std::abs(a.y - b.y) > 0.5f; };
  if (!place && window && (moved(window->Pos, rect.pos) || moved(window->Size, rect.size)))
    ImGui::SetNextWindowBgAlpha(1.0f);
  ImGui::SetNextWindowPos(rect.pos, cond);
  ImGui::SetNextWindowSize(rect.size, cond);
  return ImGui::Begin(title, nullptr, flags | ImGuiWindowFlags_NoCollapse);
}

}  // namespace

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

void Ui::menu_bar(const AppState& app, Commands& commands) {
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
  const Trace& trace = app.session.trace();
  char status[160];
  std::snprintf(status, sizeof status, "%s %s   ·   text %d %%",
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
void lesson_line(const AppState& app) {
  if (!app.lesson || app.lesson->title.empty()) return;
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
  char where[64];
  std::snprintf(where, sizeof where, "Step %d of 0–%d  %s", step, last, backward ? "backward" : "forward");
  same_line_if_fits(ImGui::CalcTextSize(where).x);
  ImGui::AlignTextToFramePadding();
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(backward ? palette(app.theme).backward_arrow : palette(app.theme).accent),
                     "%s", where);
  ImGui::Separator();
  lesson_line(app);
  sentences_.draw(app, selection, commands);
  const float needed = ImGui::GetCursorPosY() - ImGui::GetStyle().ItemSpacing.y + ImGui::GetStyle().WindowPadding.y;
  if (std::abs(needed - controls_h_) > 1.0f) {
    controls_h_ = needed;
    place_windows_ = true;
  }
}

void Ui::draw(const AppState& app, Selection& selection, Commands& commands) {
  if (app.session.trace().step_count() == 0) return;
  keyboard(app, selection, commands);
  menu_bar(app, commands);
  const ImGuiIO& io = ImGui::GetIO();
  const Layout layout = compute_layout(io.DisplaySize, menu_h_, ImGui::GetFontSize(), ImGui::GetFrameHeightWithSpacing(),
                                       controls_h_);
  const bool resized = display_.x > 0 && (display_.x != io.DisplaySize.x || display_.y != io.DisplaySize.y);
  display_ = io.DisplaySize;
  const bool place = place_windows_ || fixed_layout || resized;
  place_windows_ = false;
  const ImGuiWindowFlags single = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize;

  switch (view) {
    case View::overview: overview(app, selection, commands, layout, place); break;
    case View::gradlab_scalar:
      if (begin_panel("Gradient lab: the scalar chain", layout.single, true, single))
        gradlab_.scalar.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::gradlab_depth:
      if (begin_panel("Gradient lab: depth", layout.single, true, single)) gradlab_.depth.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::gradlab_transformer:
      if (begin_panel("Gradient lab: inside the Transformer", layout.single, true, single))
        gradlab_.transformer.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::navigator:
      if (begin_panel("Architecture", layout.single, true, single)) navigator_.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::steps:
      if (begin_panel("Steps", layout.single, true, single)) steps_.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::detail:
      if (begin_panel("Step detail", layout.single, true, single)) detail_.draw(app, selection, commands);
      ImGui::End();
      break;
    case View::chain:
      if (begin_panel("Chain rule", layout.single, true, single)) chain_.draw(app, selection, commands);
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
      if (begin_panel(page_title(page), layout.single, true, single)) linked_.draw(page, app, selection, commands);
      ImGui::End();
      if (const std::optional<LinkedPage> asked = linked_.take_page_request()) {
        if (*asked == LinkedPage::attention) view = View::attention;
      }
      break;
    }
    case View::training:
      if (begin_panel("Training", layout.single, true, single)) training_.draw(app, selection, commands);
      ImGui::End();
      break;
  }
  files_.dialogs(app, commands);
}

// The gradient lab covers the step detail and the chain rule, so that the navigator and the step
// list stay in view when a bar moves the step cursor.  Where it covers them exactly they are not
// drawn and it needs no background (the app clears to the panel colour); moved or resized, it gets
// one and they are drawn again.  Opening it, or re-tiling, places it over them and in front.
void Ui::overview(const AppState& app, Selection& selection, Commands& commands, const Layout& layout, bool place) {
  if (begin_panel("Controls and sentences", layout.controls, place)) controls(app, selection, commands);
  ImGui::End();
  const ImVec2 over_max(std::max(layout.detail.pos.x + layout.detail.size.x, layout.chain.pos.x + layout.chain.size.x),
                        std::max(layout.detail.pos.y + layout.detail.size.y, layout.chain.pos.y + layout.chain.size.y));
  const Rect over{layout.detail.pos, ImVec2(over_max.x - layout.detail.pos.x, over_max.y - layout.detail.pos.y)};
  const bool opening = gradlab_open && !gradlab_was_open_;
  gradlab_was_open_ = gradlab_open;
  const bool place_lab = place || opening;
  const ImGuiWindow* lab = ImGui::FindWindowByName("Gradient lab");
  // (ImGui rounds window positions and sizes to whole pixels.)
  const auto same = [](ImVec2 a, ImVec2 b) { return std::abs(a.x - b.x) < 1.5f && std::abs(a.y - b.y) < 1.5f; };
  const bool covering = gradlab_open && (place_lab || !lab || (same(lab->Pos, over.pos) && same(lab->Size, over.size)));
  // Covered panels are not drawn; re-tiled meanwhile, they take their places without a frame.
  if (covering && place) {
    for (const auto& [title, rect] : {std::pair{"Step detail", layout.detail}, std::pair{"Chain rule", layout.chain}}) {
      ImGui::SetWindowPos(title, rect.pos);
      ImGui::SetWindowSize(title, rect.size);
    }
  }
  // The centre first: what it hovers lights up in the navigator drawn after it.
  if (!covering) {
    if (begin_panel("Step detail", layout.detail, place)) centre(app, selection, commands);
    ImGui::End();
  }
  if (begin_panel("Architecture", layout.navigator, place, ImGuiWindowFlags_HorizontalScrollbar))
    navigator_.draw(app, selection, commands);
  ImGui::End();
  if (begin_panel("Steps", layout.steps, place)) steps_.draw(app, selection, commands);
  ImGui::End();
  if (!covering) {
    if (begin_panel("Chain rule", layout.chain, place)) chain_.draw(app, selection, commands);
    ImGui::End();
  }
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
    if (begin_panel("Training", layout.training, place)) training_.draw(app, selection, commands);
    ImGui::End();
  }
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

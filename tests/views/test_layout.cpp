// The overview at the sizes a projector needs: 1920×1080 at 100, 150 and 200 % text and 1024×768
// at 100 %.  Every panel inside the display, nothing cut off on the right of the controls, every
// centre tab at its full width, the architecture labels growing with the text and (1920×1080) the
// figure as wide as its panel, a usable step list,
// the step detail's first heatmap whole; and the gradient lab following the window.

#include "headless_ui.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <string>
#include <string_view>
#include <tuple>

namespace attnviz::views {
namespace {

const char* const overview_windows[] = {"Controls and sentences", "Step detail", "Architecture", "Steps", "Chain rule"};

// A panel's window by its English title, which is its ImGui ID in every language ("###Steps").
ImGuiWindow* window(const std::string& title) {
  return ImGui::FindWindowByName((title.rfind("###", 0) == 0 ? title : "###" + title).c_str());
}

// The widest item the window drew, against the width it has for items.
void expect_no_item_cut_off(const char* title) {
  const ImGuiWindow* w = window(title);
  ASSERT_NE(w, nullptr) << title;
  const float inner = w->ContentRegionRect.GetWidth();
  EXPECT_LE(w->ContentSize.x, inner + 1) << title << ": items reach past the right edge";
}

// The centre window's tab bar: every tab as wide as its title, and all of them in view.
void expect_tabs_in_full() {
  ImGuiContext& g = *ImGui::GetCurrentContext();
  const ImGuiWindow* detail = window("###Step detail");
  ASSERT_NE(detail, nullptr);
  int bars = 0;
  for (int i = 0; i < g.TabBars.GetBufSize(); ++i) {
    const ImGuiTabBar* bar = g.TabBars.GetByIndex(i);
    if (!detail->Rect().Contains(bar->BarRect.GetCenter())) continue;
    ++bars;
    EXPECT_EQ(bar->Tabs.Size, 6);
    for (const ImGuiTabItem& tab : bar->Tabs)
      EXPECT_GE(tab.Width + 0.5f, tab.ContentWidth) << "a tab shrinks below its title";
    EXPECT_LE(bar->WidthAllTabs, bar->BarRect.GetWidth() + 1) << "some tabs are scrolled out of view";
  }
  EXPECT_EQ(bars, 1);
}

// The first heatmap of the step detail, caption to colour bar, inside the region that shows the
// matrices, with cells at least a line of text high (numbers in them readable).
void expect_first_heatmap_in_view(const StepDetailPanel& panel) {
  const ImGuiWindow* detail = window("###Step detail");
  ASSERT_NE(detail, nullptr);
  const ImGuiWindow* matrices = nullptr;
  for (const ImGuiWindow* w : ImGui::GetCurrentContext()->Windows)
    if (w->ParentWindow == detail && std::string_view(w->Name).find("matrices") != std::string_view::npos) matrices = w;
  ASSERT_NE(matrices, nullptr);
  const ImRect shown = matrices->InnerClipRect, first = panel.first_matrix();
  EXPECT_GE(first.Min.y, shown.Min.y - 0.5f) << "the first heatmap starts above the matrices' view";
  EXPECT_LE(first.Max.y, shown.Max.y + 0.5f)
      << "the first heatmap is cut off at the bottom (" << first.Max.y - shown.Max.y << " px)";
  EXPECT_LE(first.Max.x, shown.Max.x + 0.5f) << "the first heatmap is cut off on the right";
  const int rows = 5;  // the encoder's self-attention weights: 5 source tokens
  EXPECT_GE(first.GetHeight(), static_cast<float>(rows + 2) * ImGui::GetFontSize()) << "cells too small for numbers";
}

class ProjectorLayout : public HeadlessUi, public ::testing::WithParamInterface<std::tuple<int, int, float>> {};

TEST_P(ProjectorLayout, EveryPanelReadsInFullAndTheDetailKeepsRoom) {
  const auto [w, h, scale] = GetParam();
  const ImVec2 display(static_cast<float>(w), static_cast<float>(h));
  set_text_size(scale, display);
  go_to_step(app, selection, step_labelled("encoder.0.self_attn.head1.softmax", Phase::backward));
  frames(4);
  for (const char* title : overview_windows) {
    const ImGuiWindow* win = window(title);
    ASSERT_NE(win, nullptr) << title;
    EXPECT_GE(win->Pos.x, -0.5f) << title;
    EXPECT_GE(win->Pos.y, -0.5f) << title;
    EXPECT_LE(win->Pos.x + win->Size.x, display.x + 0.5f) << title;
    EXPECT_LE(win->Pos.y + win->Size.y, display.y + 0.5f) << title;
  }
  expect_no_item_cut_off("Controls and sentences");
  const ImGuiWindow* controls = window("###Controls and sentences");
  EXPECT_FALSE(controls->ScrollbarY) << "the controls window is too short for its rows";
  expect_tabs_in_full();
  const float font = ImGui::GetFontSize();
  EXPECT_GE(ui.navigator().label_pixels(), NavigatorPanel::min_label_scale * font - 0.5f)
      << "architecture labels do not grow with the text";
  if (w == 1920) {  // a projector's display: the figure fits its panel's width at every text size
    EXPECT_FALSE(window("###Architecture")->ScrollbarX) << "the architecture figure is wider than its panel";
  }
  const float row = font + ImGui::GetStyle().ItemSpacing.y;
  const ImGuiWindow* steps = window("###Steps");
  EXPECT_GE((steps->Size.y - steps->TitleBarHeight()) / row, 6.0f) << "the step list shows too few rows";
  const ImGuiWindow* detail = window("###Step detail");
  EXPECT_GE(detail->Size.x, display.x * 0.44f - 1);
  EXPECT_GE(detail->Size.y, display.y * 0.4f);
  expect_first_heatmap_in_view(ui.detail());
}

INSTANTIATE_TEST_SUITE_P(ProjectorSizes, ProjectorLayout,
                         ::testing::Values(std::tuple{1920, 1080, 1.0f}, std::tuple{1920, 1080, 1.5f},
                                           std::tuple{1920, 1080, 1.75f}, std::tuple{1920, 1080, 2.0f},
                                           std::tuple{1024, 768, 1.0f}, std::tuple{1024, 768, 1.25f}));

class Lab : public HeadlessUi {
 protected:
  // The rectangle the step detail and chain rule tile together.
  ImRect detail_and_chain() const {
    ImRect r = window("###Step detail")->Rect();
    r.Add(window("###Chain rule")->Rect());
    return r;
  }
  static void expect_same(const ImRect& a, const ImRect& b) {
    EXPECT_NEAR(a.Min.x, b.Min.x, 1.5f);
    EXPECT_NEAR(a.Min.y, b.Min.y, 1.5f);
    EXPECT_NEAR(a.Max.x, b.Max.x, 1.5f);
    EXPECT_NEAR(a.Max.y, b.Max.y, 1.5f);
  }
};

TEST_F(Lab, ResizingWithTheLabOpenReTilesThePanelsUnderIt) {
  frames(3);
  ui.show(PanelId::gradlab_scalar);
  frames(3);
  expect_same(window("###Gradient lab")->Rect(), detail_and_chain());
  ImGui::GetIO().DisplaySize = ImVec2(1024, 768);
  frames(3);
  const ImRect lab = window("###Gradient lab")->Rect();
  EXPECT_LE(lab.Max.x, 1024.5f);
  EXPECT_LE(lab.Max.y, 768.5f);
  ui.hide(PanelId::gradlab_scalar);
  frames(3);
  // The panels that were under the lab tile the new display, and the lab covered them exactly.
  const ImRect under = detail_and_chain();
  EXPECT_NEAR(under.Max.x, 1024, 1.5f);
  EXPECT_NEAR(under.Max.y, 768, 1.5f);
  EXPECT_NEAR(window("###Step detail")->Pos.x, window("###Architecture")->Rect().Max.x, 1.5f);
  expect_same(lab, under);
}

TEST_F(Lab, OpeningTheLabPlacesItOverTheDetailAndInFront) {
  frames(3);
  ui.show(PanelId::gradlab_scalar);
  frames(2);
  // Where an earlier run left it (layout.ini): somewhere else, partly off the display.
  ImGui::SetWindowPos("###Gradient lab", ImVec2(1200, 700));
  ImGui::SetWindowSize("###Gradient lab", ImVec2(900, 600));
  ui.hide(PanelId::gradlab_scalar);
  frames(2);
  ImGui::FocusWindow(window("###Step detail"));
  ui.show(PanelId::gradlab_scalar);
  frames(3);
  expect_same(window("###Gradient lab")->Rect(), detail_and_chain());
  const ImGuiContext& g = *ImGui::GetCurrentContext();
  EXPECT_EQ(g.WindowsFocusOrder.back(), window("###Gradient lab")) << "the lab opens behind another panel";
}

}  // namespace
}  // namespace attnviz::views

namespace attnviz::views {
namespace {

class MovedByHand : public HeadlessUi {};

// A refusal adds a line under the sentences: the controls grow, the panels under them move down,
// except the one the user moved.
TEST_F(MovedByHand, TallerControlsReTileOnlyThePanelsTheUserLeftInPlace) {
  frames(3);
  ImGui::SetWindowPos("###Steps", ImVec2(300, 400));
  frames(2);
  const float controls_before = window("###Controls and sentences")->Size.y;
  app.sentence_message = "the word \"dragonfly\" is not in the source vocabulary";
  frames(3);
  const ImGuiWindow* controls = window("###Controls and sentences");
  ASSERT_GT(controls->Size.y, controls_before + 5);
  EXPECT_NEAR(window("###Architecture")->Pos.y, controls->Pos.y + controls->Size.y, 1.5f);
  EXPECT_NEAR(window("###Step detail")->Pos.y, controls->Pos.y + controls->Size.y, 1.5f);
  EXPECT_NEAR(window("###Steps")->Pos.x, 300, 0.5f) << "a panel moved by hand was re-tiled";
  EXPECT_NEAR(window("###Steps")->Pos.y, 400, 0.5f) << "a panel moved by hand was re-tiled";
}

// Folded at 200 % text on 1920×1080, the chain rule opens from its title bar and stays open; the
// detail above it gives up the room.
TEST_F(MovedByHand, TheFoldedChainRuleOpensAndStaysOpen) {
  set_text_size(2.0f, ImVec2(1920, 1080));
  frames(4);
  ImGuiWindow* chain = window("###Chain rule");
  ASSERT_TRUE(chain->Collapsed);
  chain->WantCollapseToggle = true;  // as a click on its arrow does
  frames(4);
  EXPECT_FALSE(chain->Collapsed);
  EXPECT_NEAR(chain->Pos.y + chain->SizeFull.y, 1080, 1.5f);
  EXPECT_NEAR(window("###Step detail")->Rect().Max.y, chain->Pos.y, 1.5f);
}

}  // namespace
}  // namespace attnviz::views

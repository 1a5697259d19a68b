// The Tour panel over the default lesson's tour: Next, the clicker's keys and a stop's fields move
// the window (step, phase, selected element, panel, text size); "Add this view as a stop" captures
// where the window is; edits reach the lesson that Save lesson writes.

#include "headless_ui.h"
#include "views/lesson_loader.h"
#include "views/tour_panel.h"

#include <imgui_internal.h>

#include <chrono>
#include <filesystem>
#include <thread>

namespace attnviz::views {
namespace {

const std::string word_order = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json";

struct TourHeadless : HeadlessUi {
  TourHeadless() : HeadlessUi(loaded().session) {}
  static LoadedLesson loaded() {
    LoadProgress progress;
    return read_lesson_session(word_order, progress);
  }
  void SetUp() override {
    HeadlessUi::SetUp();
    app.lesson = read_lesson(word_order);
    ui.show(PanelId::tour);
  }
  // The stop of the lesson's tour whose step is `label` (and phase).
  int stop_at(const std::string& label, Phase phase) {
    const std::vector<TourStop>& tour = app.lesson->tour;
    for (std::size_t i = 0; i < tour.size(); ++i)
      if (tour[i].step == label && tour[i].phase == phase) return static_cast<int>(i);
    ADD_FAILURE() << label;
    return 0;
  }
};

TEST_F(TourHeadless, AStopMovesTheWindowToItsStepSelectionAndPanel) {
  frames(2);
  const int k = stop_at("encoder.0.self_attn.k_proj", Phase::backward);
  commands.push(GoToTourStop{k});
  const Effects effects = frame();
  EXPECT_EQ(app.tour_stop, k);
  const Step& step = app.session.trace().step(selection.step);
  EXPECT_EQ(step.label, "encoder.0.self_attn.k_proj");
  EXPECT_EQ(step.phase, Phase::backward);
  EXPECT_EQ(selection.element, (ElementRef{selection.step, Slot::downstream, 0, 2, 3}));
  ASSERT_TRUE(effects.show);
  EXPECT_EQ(*effects.show, PanelId::detail);

  commands.push(GoToTourStop{stop_at("encoder.embed.add_pe", Phase::forward)});
  const Effects to_position = frame();
  ASSERT_TRUE(to_position.show);
  EXPECT_EQ(*to_position.show, PanelId::position);
  commands.push(GoToTourStop{1000});
  frame();
  EXPECT_EQ(app.tour_stop, static_cast<int>(app.lesson->tour.size()) - 1);  // clamped to the last
}

TEST_F(TourHeadless, TheClickersKeysStepThroughTheTour) {
  frames(2);
  ImGuiIO& io = ImGui::GetIO();
  const auto press = [&](int key) {
    io.KeysDown[key] = true;
    frame();
    io.KeysDown[key] = false;
    frame();
  };
  commands.push(GoToTourStop{1});  // stop 0 opens another lesson (ATourStopOpensAnotherLessonAndComesBack)
  frame();
  press(300 + ImGuiKey_PageDown);
  EXPECT_EQ(app.tour_stop, 2);
  press('N');
  EXPECT_EQ(app.tour_stop, 3);
  press(300 + ImGuiKey_PageUp);
  EXPECT_EQ(app.tour_stop, 2);
  press('P');
  EXPECT_EQ(app.tour_stop, 1);
  EXPECT_EQ(app.session.trace().step(selection.step).label, app.lesson->tour[1].step);
}

// The first stop opens "Why attention?" (its own lesson file) on a thread; once it is open the
// tour shows that stop with its panel, and Next reopens the tour's lesson at the second stop.
TEST_F(TourHeadless, ATourStopOpensAnotherLessonAndComesBack) {
  app.lesson_path = word_order;
  frames(2);
  ASSERT_EQ(app.lesson->tour[0].lesson, "why-attention.json");
  const int stops = static_cast<int>(app.lesson->tour.size());
  const auto until_opened = [&] {
    Effects all;
    for (int i = 0; i < 6000 && app.opening; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      const Effects e = frame();
      all.lesson_changed |= e.lesson_changed;
      if (e.show) all.show = e.show;
    }
    return all;
  };
  commands.push(GoToTourStop{0});
  frame();
  ASSERT_TRUE(app.opening) << app.file_message;
  EXPECT_EQ(app.opening->what(), "why-attention.json");
  EXPECT_EQ(app.lesson_path, word_order) << "the tour's lesson stays until the other is ready";

  const Effects arrived = until_opened();
  EXPECT_TRUE(arrived.lesson_changed);
  EXPECT_EQ(std::filesystem::path(app.lesson_path).filename(), "why-attention.json");
  ASSERT_TRUE(arrived.show);
  EXPECT_EQ(*arrived.show, PanelId::why_attention);
  EXPECT_EQ(app.tour_stop, 0);
  EXPECT_EQ(app.tour_length(), stops);
  ASSERT_NE(app.shown_tour_stop(), nullptr);
  EXPECT_EQ(app.shown_tour_stop()->title.en, "Why attention?");
  frames(2);  // the Tour panel draws the stop away from its lesson

  commands.push(GoToTourStop{-1});  // Previous at the first stop stays
  frame();
  EXPECT_FALSE(app.opening);
  EXPECT_EQ(app.tour_stop, 0);

  commands.push(GoToTourStop{1});  // Next
  frame();
  ASSERT_TRUE(app.opening) << app.file_message;
  const Effects back = until_opened();
  EXPECT_TRUE(back.lesson_changed);
  EXPECT_EQ(app.lesson_path, word_order);
  EXPECT_FALSE(app.tour_away);
  EXPECT_EQ(app.tour_stop, 1);
  EXPECT_EQ(app.session.trace().step(selection.step).label, app.lesson->tour[1].step);
  ASSERT_TRUE(back.show);
  EXPECT_EQ(*back.show, *tour_panel(app.lesson->tour[1], 1));
}

// A lesson opened by hand while the tour is away ends the trip: the window's tour is that lesson's.
TEST_F(TourHeadless, OpeningAnotherLessonByHandEndsTheTrip) {
  app.lesson_path = word_order;
  frames(2);
  commands.push(GoToTourStop{0});
  for (int i = 0; i < 6000 && (i == 0 || app.opening); ++i) {
    frame();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(app.tour_away && app.tour_away->arrived) << app.file_message;
  commands.push(
      FileAction{FileAction::Kind::open_lesson, std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/reverse.json"});
  for (int i = 0; i < 6000 && (i == 0 || app.opening); ++i) {
    frame();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(std::filesystem::path(app.lesson_path).filename(), "reverse.json");
  EXPECT_FALSE(app.tour_away);
  EXPECT_EQ(app.tour_stop, -1);
}

TEST_F(TourHeadless, TheCurrentViewBecomesAStopAndEditsReachTheLesson) {
  frames(2);
  const int step = step_labelled("encoder.0.self_attn.head1.scores", Phase::forward);
  commands.push(GoToElement{{step, Slot::output, 0, 1, 2}});
  frame();
  const TourStop here = stop_here(app, selection, PanelId::attention, 3);
  EXPECT_EQ(here.step, "encoder.0.self_attn.head1.scores");
  EXPECT_EQ(here.phase, Phase::forward);
  EXPECT_EQ(here.panel, "attention");
  EXPECT_EQ(here.select, (std::array<int, 2>{1, 2}));
  EXPECT_EQ(here.text_size, 0);
  EXPECT_EQ(here.title.en, "Stop 3");
  EXPECT_EQ(here.title.ko, "지점 3");

  const std::size_t before = app.lesson->tour.size();
  std::vector<TourStop> tour = app.lesson->tour;
  tour.insert(tour.begin() + 1, here);
  commands.push(SetTour{tour, 1});
  frame();
  ASSERT_EQ(app.lesson->tour.size(), before + 1);
  EXPECT_EQ(app.lesson->tour[1], here);
  EXPECT_EQ(app.tour_stop, 1);
  frames(2);  // the panel draws the new stop
  EXPECT_GT(vertices(), 200);
}

// At 200 % text the counter and "English / 한국어" wrap onto the next line rather than pass the
// Tour window's right edge.
TEST_F(TourHeadless, TheLanguageChoiceStaysInsideTheWindowAt200Percent) {
  set_text_size(2, ImVec2(1600, 900));
  commands.push(GoToTourStop{1});
  frames(4);
  const ImGuiWindow* tour = ImGui::FindWindowByName(panel_info(PanelId::tour).window_label().c_str());
  ASSERT_NE(tour, nullptr);
  ASSERT_TRUE(tour->Active);
  EXPECT_LE(tour->ContentSize.x, tour->ContentRegionRect.GetWidth() + 1) << "items reach past the right edge";
}

// F5 enters presenter mode (150 % text, the stop's panel and its note as a caption, no menus);
// the clicker's keys still move on; Esc leaves at 100 %.
TEST_F(TourHeadless, PresenterModeShowsTheStopsPanelWithItsNote) {
  frames(2);
  ImGuiIO& io = ImGui::GetIO();
  const auto press = [&](int key) {
    io.KeysDown[key] = true;
    const Effects effects = frame();
    io.KeysDown[key] = false;
    frame();
    return effects;
  };
  const int k = stop_at("decoder.0.self_attn.head0.mask", Phase::forward);
  commands.push(GoToTourStop{k});
  frame();
  const Effects on = press(294);  // F5
  EXPECT_TRUE(app.presenter);
  EXPECT_TRUE(on.presenter_changed);
  EXPECT_FLOAT_EQ(app.ui_scale, 1.5f);
  frames(2);
  const ImGuiWindow* masking = ImGui::FindWindowByName(panel_info(PanelId::masking).window_label().c_str());
  ASSERT_NE(masking, nullptr);
  EXPECT_TRUE(masking->Active);
  const ImGuiWindow* caption = ImGui::FindWindowByName("Presenter caption");
  ASSERT_NE(caption, nullptr);
  EXPECT_TRUE(caption->Active);
  const ImGuiWindow* menu = ImGui::FindWindowByName("##MainMenuBar");
  EXPECT_TRUE(menu == nullptr || !menu->Active);
  press(300 + ImGuiKey_PageDown);
  EXPECT_EQ(app.tour_stop, k + 1);
  press(300 + ImGuiKey_Escape);
  EXPECT_FALSE(app.presenter);
  EXPECT_FLOAT_EQ(app.ui_scale, 1.0f);
}

}  // namespace
}  // namespace attnviz::views

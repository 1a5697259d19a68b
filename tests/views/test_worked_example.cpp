// The self-attention-by-hand lesson in the window: worked example A's grids above the step detail,
// the notes' figures (QKᵀ row 2, softmax row 1, output row 1) written in full and in view at the
// lesson's opening step, at 100 % and 200 % text; a click on a value leads to a step that explains it.

#include "headless_ui.h"
#include "model/explain.h"
#include "model/io/lesson_file.h"
#include "views/worked_example.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>

#include <tuple>

namespace attnviz::views {
namespace {

Lesson example_a() {
  return io::read_lesson_file(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/self-attention-by-hand.json");
}

class ExampleA : public HeadlessUi, public ::testing::WithParamInterface<std::tuple<int, int, float>> {
 protected:
  ExampleA() : HeadlessUi(Session(to_preset(example_a()))) {}

  void open_lesson() {
    app.lesson = example_a();
    go_to_step(app, selection, app.lesson->step);
    ui.open_lesson_panel(app, selection);
  }
  const DrawnGrid* grid(const std::string& title) const {
    for (const DrawnGrid& g : ui.detail().example_grids())
      if (g.title == title) return &g;
    ADD_FAILURE() << "no grid " << title;
    return nullptr;
  }
};

using Row = std::vector<std::string>;

TEST_P(ExampleA, TheNotesFiguresAreInViewAtTheOpeningStep) {
  const auto [w, h, scale] = GetParam();
  set_text_size(scale, ImVec2(static_cast<float>(w), static_cast<float>(h)));
  open_lesson();
  frames(4);
  ASSERT_EQ(ui.detail().example_grids().size(), 12u);  // X, W_Q, W_K, W_V, Q, K, V, QKᵀ, ÷√3, A, O, L
  const DrawnGrid* S = grid("QKᵀ");
  const DrawnGrid* A = grid("A = softmax");
  const DrawnGrid* O = grid("O = A V");
  ASSERT_TRUE(S && A && O);
  EXPECT_EQ(S->rows.at(1), (Row{"4", "16", "12"}));
  EXPECT_EQ(A->rows.at(0), (Row{"0.1361", "0.4319", "0.4319"}));
  EXPECT_EQ(O->rows.at(0), (Row{"1.8639", "6.3194", "1.7042"}));
  for (const DrawnGrid* g : {S, A, O}) EXPECT_TRUE(g->visible()) << g->title << " is scrolled or cut out of view";
  EXPECT_EQ(grid("QKᵀ / √3")->rows.at(1).at(1), "9.2376");   // 16/√3
  EXPECT_EQ(grid("W_Q")->rows.at(3), (Row{"0", "1", "1"}));  // as the notes write it, not transposed
}

INSTANTIATE_TEST_SUITE_P(Sizes, ExampleA,
                         ::testing::Values(std::tuple{1920, 1080, 1.0f}, std::tuple{1920, 1080, 2.0f},
                                           std::tuple{1024, 768, 1.0f}));

TEST_F(ExampleA, BackwardGridsHoldGradientsFromLossOfOnes) {
  open_lesson();
  go_to_step(app, selection, step_labelled("encoder.0.self_attn.head0.weighted_sum", Phase::backward));
  frames(3);
  EXPECT_EQ(grid("∂L/∂O")->rows.at(0), (Row{"1", "1", "1"}));  // L = Σ O
  EXPECT_NE(grid("∂L/∂W_Q"), nullptr);
  EXPECT_NE(grid("∂L/∂X"), nullptr);
}

// Every value a click can land on: forward, how it was computed or where it is read; backward, the
// chain rule of its gradient.
TEST_F(ExampleA, EveryGridLeadsToAStepThatHoldsIt) {
  const Trace& t = app.session.trace();
  for (const ExampleMatrix& m : example_matrices(t)) {
    ASSERT_GE(m.forward.step, 0) << m.title;
    const Step& f = t.step(m.forward.step);
    const std::vector<TensorId>& slots = m.forward.slot == Slot::output ? f.outputs : f.inputs;
    EXPECT_EQ(slots.at(static_cast<std::size_t>(m.forward.index)), m.tensor) << m.title;
    ASSERT_GE(m.backward.step, 0) << m.title;
    EXPECT_EQ(t.step(m.backward.step).phase, Phase::backward);
    if (m.backward.slot == Slot::downstream) {
      EXPECT_NO_THROW(explain(t, m.backward.step, m.backward.index, 0, 0)) << m.title;
    }
  }
}

TEST_F(ExampleA, EditsAreRefusedAndTheOtherPagesSaySo) {
  open_lesson();
  commands.push(SetSentences{"x1 x2", "x1 x2"});
  frames(2);
  EXPECT_NE(app.sentence_message.find("worked example A"), std::string::npos) << app.sentence_message;
  for (const PanelInfo& tab : panel_table()) {
    if (tab.home != Home::centre_tab) continue;
    ui.show(tab.id);
    frames(2);  // head_tensors would throw on a trace without masks: the pages say why they are empty
  }
}

}  // namespace
}  // namespace attnviz::views

namespace attnviz::views {
namespace {

// The lesson names itself: on the window's title, and in a line under the step controls.
TEST_F(ExampleA, TheLessonsTitleIsOnTheWindowAndInTheControls) {
  EXPECT_EQ(window_title(app), "attnviz");
  frames(3);
  const float without = ImGui::FindWindowByName("###Controls and sentences")->ContentSize.y;
  open_lesson();
  EXPECT_EQ(window_title(app), "attnviz — Self-attention by hand");
  frames(3);
  const float with = ImGui::FindWindowByName("###Controls and sentences")->ContentSize.y;
  EXPECT_GE(with - without, ImGui::GetTextLineHeight()) << "no lesson line";
}

}  // namespace
}  // namespace attnviz::views

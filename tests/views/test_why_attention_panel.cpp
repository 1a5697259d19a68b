// The "Why attention?" page on its lesson: the three models loaded with their shipped weights,
// their figures those analysis::measure gives, the alignments and gradients following the pair in
// the sentence bar; on a lesson without models to compare it says where to find one.

#include "model/io/lesson_file.h"
#include "views/why_attention_panel.h"
#include "headless_ui.h"

namespace attnviz::views {
namespace {

const std::string lesson_path = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/why-attention.json";

class WhyAttentionHeadless : public HeadlessUi {
 protected:
  WhyAttentionHeadless() : HeadlessUi(Session(to_preset(io::read_lesson_file(lesson_path)))) {}
  void SetUp() override {
    HeadlessUi::SetUp();
    app.lesson = io::read_lesson_file(lesson_path);
    app.lesson_path = lesson_path;
    ui.view = PanelId::why_attention;
  }
  const WhyAttentionPanel& panel() { return ui.panel<WhyAttentionPanel>(PanelId::why_attention); }
};

TEST_F(WhyAttentionHeadless, ShowsTheThreeModelsInTheOrderOfTheStory) {
  frames(2);
  const auto& models = panel().models();
  ASSERT_EQ(models.size(), 3u);
  EXPECT_EQ(models[0].figures.name, "seq2seq");
  EXPECT_EQ(models[1].figures.name, "bahdanau");
  EXPECT_EQ(models[2].figures.name, "transformer");
  EXPECT_EQ(panel().lengths().front(), 3);
  EXPECT_EQ(panel().lengths().back(), 20);
  // The plotted figures are the measured ones: Bahdanau's model holds up at 20 words, Seq2Seq does not.
  EXPECT_GT(models[1].figures.accuracy.back(), models[0].figures.accuracy.back() + 0.3);
  EXPECT_GT(vertices(), 1000);

  // The pair's alignments: one row per target position, one column per source word, rows of
  // weights summing to 1; Seq2Seq has none.  One gradient norm per source word in each model.
  const int T_src = static_cast<int>(app.src_words.size()), T_tgt = static_cast<int>(app.tgt_in_words.size());
  EXPECT_EQ(models[0].attention.size(), 0);
  for (const auto* m : {&models[1], &models[2]}) {
    ASSERT_EQ(m->attention.rows(), T_tgt) << m->figures.name;
    ASSERT_EQ(m->attention.cols(), T_src) << m->figures.name;
    for (Eigen::Index i = 0; i < m->attention.rows(); ++i) EXPECT_NEAR(m->attention.row(i).sum(), 1.0, 1e-9);
  }
  for (const auto& m : models) {
    EXPECT_EQ(static_cast<int>(m.token_grads.size()), T_src) << m.figures.name;
    EXPECT_EQ(static_cast<int>(m.initial_grads.size()), T_src) << m.figures.name;
  }
  // At the initial weights the gradient fades through Seq2Seq's recurrence, not through attention:
  // first word over last word.
  const auto ratio = [](const std::vector<double>& g) { return g.front() / g.back(); };
  EXPECT_LT(ratio(models[0].initial_grads), 0.01);
  EXPECT_GT(ratio(models[1].initial_grads), 0.1);
  // Reversal: the first output word looks at the last source word.
  Eigen::Index best = 0;
  models[1].attention.row(0).maxCoeff(&best);
  EXPECT_EQ(best, T_src - 1);
}

TEST_F(WhyAttentionHeadless, FollowsTheSentenceBar) {
  frames(2);
  app.session.set_sentences("1 2 3", "3 2 1", 0);
  app.on_new_trace();
  frames(2);
  for (const auto& m : panel().models()) EXPECT_EQ(m.token_grads.size(), 3u) << m.figures.name;
  EXPECT_EQ(panel().models()[1].attention.cols(), 3);
}

TEST_F(WhyAttentionHeadless, TwiceTheTextReadsTheSame) {
  set_text_size(2.0f, ImVec2(1600, 900));
  frames(3);
  EXPECT_EQ(panel().models().size(), 3u);
}

class WhyAttentionOnAnotherLesson : public HeadlessUi {};

TEST_F(WhyAttentionOnAnotherLesson, SaysWhereTheComparisonIs) {
  ui.view = PanelId::why_attention;
  frames(2);
  EXPECT_TRUE(ui.panel<WhyAttentionPanel>(PanelId::why_attention).models().empty());
  EXPECT_GT(vertices(), 0);
}

}  // namespace
}  // namespace attnviz::views

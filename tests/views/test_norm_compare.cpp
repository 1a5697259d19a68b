// LayerNorm against BatchNorm in the step detail: drawn under a forward LayerNorm step of a
// lesson with sentences, at 100 % and 200 % text, and not under other steps.

#include "headless_ui.h"
#include "model/io/lesson_file.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <string>

namespace attnviz::views {
namespace {

std::string word_order_file() { return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json"; }

class WordOrderUi : public HeadlessUi {
 protected:
  WordOrderUi() : HeadlessUi(Session(to_preset(io::read_lesson_file(word_order_file())))) {
    app.lesson = io::read_lesson_file(word_order_file());
    app.lesson_path = word_order_file();
  }
};

TEST_F(WordOrderUi, ALayerNormStepDrawsTheComparison) {
  for (const float scale : {1.0f, 2.0f}) {
    set_text_size(scale, ImVec2(1920, 1080));
    go_to_step(app, selection, step_labelled("decoder.0.norm2.layer_norm", Phase::forward));
    frames(2);
    const auto& shown = ui.detail().norm_compare().comparison();
    ASSERT_TRUE(shown.has_value()) << scale;
    EXPECT_EQ(shown->step_label, "decoder.0.norm2.layer_norm");
    EXPECT_FALSE(shown->source);
    EXPECT_EQ(shown->batch.sentences, 4);
    EXPECT_GT(shown->batch_dependence, 0);
  }
}

TEST_F(WordOrderUi, FollowsTheStepAndOnlyForwardLayerNorms) {
  go_to_step(app, selection, step_labelled("encoder.0.norm1.layer_norm", Phase::forward));
  frames(1);
  ASSERT_TRUE(ui.detail().norm_compare().comparison().has_value());
  EXPECT_EQ(ui.detail().norm_compare().comparison()->step_label, "encoder.0.norm1.layer_norm");
  go_to_step(app, selection, step_labelled("encoder.1.norm1.layer_norm", Phase::forward));
  frames(1);
  EXPECT_EQ(ui.detail().norm_compare().comparison()->step_label, "encoder.1.norm1.layer_norm");
  // The backward twin and other steps leave it as it was (not computed again, not drawn).
  go_to_step(app, selection, step_labelled("encoder.1.norm1.layer_norm", Phase::backward));
  frames(1);
  go_to_step(app, selection, step_labelled("encoder.1.ffn.linear1", Phase::forward));
  frames(1);
  EXPECT_EQ(ui.detail().norm_compare().comparison()->step_label, "encoder.1.norm1.layer_norm");
}

// A preset has no lesson sentences: the comparison says so instead of inventing a batch.
TEST_F(HeadlessUi, WithoutLessonSentencesTheComparisonSaysSo) {
  go_to_step(app, selection, step_labelled("encoder.0.norm1.layer_norm", Phase::forward));
  frames(1);
  EXPECT_FALSE(ui.detail().norm_compare().comparison().has_value());
  EXPECT_NE(ui.detail().norm_compare().message().find("no lesson sentences"), std::string::npos);
}

}  // namespace
}  // namespace attnviz::views

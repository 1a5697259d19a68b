// Details that must read right on a projector: axis indices that do not run together, numbers
// never split across lines, the two positional-encoding curves told apart in both themes.

#include "headless_ui.h"
#include "views/attention_panel.h"
#include "views/heads_panel.h"
#include "views/heatmap.h"
#include "views/plot.h"
#include "views/training_panel.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace attnviz::views {
namespace {

class Drawn : public HeadlessUi {};

TEST(AxisIndices, LabelsOfManyColumnsDoNotTouch) {
  const float digit = 7;
  for (const auto& [cols, cell_w] :
       {std::pair{512, 1.5f}, std::pair{512, 3.0f}, std::pair{64, 9.0f}, std::pair{8, 40.0f}}) {
    const int every = index_label_every(cols, cell_w, digit);
    const float widest = digit * static_cast<float>(std::to_string(cols - 1).size());
    EXPECT_GE(static_cast<float>(every) * cell_w, widest + digit) << cols << " columns of " << cell_w << " px";
  }
  EXPECT_EQ(index_label_every(8, 40, digit), 1);
  EXPECT_EQ(index_label_every(512, 1.5f, digit), 20);  // 0 20 40 …, not 0 11 22 …
}

TEST(PositionalExperiment, TheTwoCurvesDifferInEveryTheme) {
  for (Theme theme : {Theme::light, Theme::dark}) {
    const ImVec4 a = ImGui::ColorConvertU32ToFloat4(pe_curve_colours(theme).with_pe);
    const ImVec4 b = ImGui::ColorConvertU32ToFloat4(pe_curve_colours(theme).without_pe);
    const float distance = std::abs(a.x - b.x) + std::abs(a.y - b.y) + std::abs(a.z - b.z);
    EXPECT_GT(distance, 0.9f) << to_string(theme);
  }
}

// The masking page's columns are about 3.5 digits wide: "<pad>" and "princess" stand upright in full
// instead of "‹…" and "pri…".
TEST_F(Drawn, NarrowColumnsWriteTheirTokenNamesInFull) {
  set_text_size(1.0f, ImVec2(1920, 1080));
  frames(1);
  ImGui::NewFrame();
  const float digit = ImGui::CalcTextSize("0").x, line = ImGui::GetTextLineHeight();
  const std::vector<std::string> words = {"the", "prince", "saved", "the", "princess", "<pad>", "<pad>"};
  const ColumnLabels labels = column_labels(words, 7, digit * 3.5f, line, digit);
  EXPECT_TRUE(labels.words);
  EXPECT_TRUE(labels.upright);
  for (const std::string& word : words) EXPECT_LE(ImGui::CalcTextSize(word.c_str()).x, labels.room) << word;
  // Wide cells keep their words across; tiny ones fall back to indices.
  EXPECT_FALSE(column_labels(words, 7, digit * 9, line, digit).upright);
  EXPECT_FALSE(column_labels(words, 7, 3, line, digit).words);
  ImGui::Render();
}

TEST_F(Drawn, WrappedWordsKeepANumberWhole) {
  frames(1);
  ImGui::NewFrame();
  ImGui::SetNextWindowSize(ImVec2(400, 300));
  ImGui::Begin("words");
  const float width = ImGui::CalcTextSize("wavelength λ = 628.").x + 1;  // "628." fits the line, "628.32" does not
  wrapped_words("wavelength λ = 628.32", width);
  const ImVec2 last = ImGui::GetItemRectSize();
  ImGui::End();
  ImGui::Render();
  EXPECT_NEAR(last.x, ImGui::CalcTextSize("628.32").x, 0.5f);
}

// The heads grid at 200 % on 1920×1080 has about 96 px down and 300 px across per head: its
// thumbnails still give each of 6 tokens a line (36 px font, 42 px line) for its name.
TEST(HeadsGrid, ThumbnailsHoldALinePerToken) {
  const float line = 42, font = 36;
  const float side = thumbnail_side(300, 96, 6, line, font);
  EXPECT_GE(side, 6 * line);
  EXPECT_LE(side, 300);
  EXPECT_EQ(thumbnail_side(80, 96, 6, line, font), font * 3);  // no room across: the smallest
  EXPECT_EQ(thumbnail_side(1000, 1000, 6, line, font), font * 12);
}

}  // namespace
}  // namespace attnviz::views

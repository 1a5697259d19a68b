// The linked panels — heads, attention, masking, positional encoding, output — drawn under Dear
// ImGui's headless context on the default lesson, alone and as tabs of the overview; a head
// chosen in one moves the step cursor every panel follows; padding, decoding and the encoding
// explorer's limits.

#include "model/analysis/decoding.h"
#include "model/analysis/masks.h"
#include "model/analysis/variant.h"
#include "model/presets.h"
#include "views/controller.h"
#include "views/attention_panel.h"
#include "views/matrix_export.h"
#include "views/pe_panel.h"
#include "views/output_panel.h"
#include "views/ui.h"
#include "headless_ui.h"

#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>

namespace attnviz::views {
namespace {

using Linked = HeadlessUi;

constexpr PanelId centre_tabs[] = {PanelId::heads, PanelId::attention, PanelId::masking, PanelId::position,
                                   PanelId::output};

TEST_F(Linked, EveryPanelDrawsAloneAndAsATabAtThreeKindsOfStep) {
  const int steps[] = {0, step_labelled("encoder.1.self_attn.head2.softmax", Phase::forward),
                       step_labelled("decoder.0.cross_attn.head1.softmax", Phase::backward)};
  for (int step : steps) {
    for (PanelId view : centre_tabs) {
      SCOPED_TRACE(std::string(panel_info(view).name) + " at step " + std::to_string(step));
      ui.view = view;
      go_to_step(app, selection, step);
      frames(3);
      EXPECT_EQ(selection.step, step);
      ASSERT_NE(ImGui::GetDrawData(), nullptr);
      EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 400);
    }
    for (PanelId page : centre_tabs) {
      SCOPED_TRACE(std::string(panel_info(page).title) + " tab at step " + std::to_string(step));
      ui.view = PanelId::overview;
      ui.show(page);
      go_to_step(app, selection, step);
      frames(3);
      EXPECT_EQ(selection.step, step);
      EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 1000);
    }
  }
  EXPECT_GT(textures.uploads(), 0);
}

TEST_F(Linked, ClickingAHeadInTheModelViewMovesTheCursorToItsSoftmaxAndOpensIt) {
  ui.view = PanelId::heads;
  frames(2);
  const ImGuiWindow* window = ImGui::FindWindowByName("###Heads");
  ASSERT_NE(window, nullptr);
  // Hover every point until the mouse is over a head that is not the current one.
  bool found = false;
  for (float y = window->Pos.y + 60; y < window->Pos.y + window->Size.y && !found; y += 11)
    for (float x = window->Pos.x + 200; x < window->Pos.x + window->Size.x && !found; x += 11) {
      ImGui::GetIO().MousePos = ImVec2(x, y);
      frame();
      found = selection.hover.step >= 0 && app.session.trace().step(selection.hover.step).where.head == 2 &&
              app.session.trace().step(selection.hover.step).where.layer == 1;
    }
  ASSERT_TRUE(found);
  const int target = selection.hover.step;
  EXPECT_EQ(app.session.trace().step(target).label, "encoder.1.self_attn.head2.softmax");
  ImGui::GetIO().MouseDown[0] = true;
  frame();
  ImGui::GetIO().MouseDown[0] = false;
  frames(2);
  EXPECT_EQ(selection.step, target);
  EXPECT_EQ(selection.where.head, 2);
  EXPECT_EQ(selection.where.layer, 1);
  EXPECT_EQ(ui.view, PanelId::attention);
}

TEST_F(Linked, HoveringTheLinesViewLightsTheTokenForEveryPanel) {
  go_to_step(app, selection, step_labelled("encoder.0.self_attn.head1.softmax", Phase::forward));
  ui.view = PanelId::attention;
  frames(2);
  const ImGuiWindow* window = ImGui::FindWindowByName("###Attention");
  ASSERT_NE(window, nullptr);
  bool found = false;
  for (float y = window->Pos.y + 40; y < window->Pos.y + window->Size.y && !found; y += 7)
    for (float x = window->Pos.x + 5; x < window->Pos.x + 400 && !found; x += 7) {
      ImGui::GetIO().MousePos = ImVec2(x, y);
      frame();
      found = selection.hover.token.valid() && !selection.hover.element.valid();
    }
  ASSERT_TRUE(found);
  EXPECT_EQ(selection.hover.token.side, TokenSide::source);
  // Every head of the layer at once draws too.
  ui.panel<AttentionPanel>(PanelId::attention).lines_all_heads = true;
  frames(2);
  EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 1000);
}

// The attention page's "One cell" table: its names and numbers on one line each, not wrapped to a
// letter or two per line by the text wrap of the section around it.
TEST_F(Linked, OneCellTableKeepsItsColumnsAsWideAsTheirText) {
  set_text_size(1, ImVec2(1920, 1080));
  const int step = step_labelled("encoder.0.self_attn.head2.softmax", Phase::forward);
  go_to_step(app, selection, step);
  selection.element = ElementRef{step, Slot::output, 0, 2, 3};
  ui.show(PanelId::attention);
  frames(4);
  ImGuiContext& g = *ImGui::GetCurrentContext();
  const ImGuiTable* cell = nullptr;
  for (int i = 0; i < g.Tables.GetBufSize(); ++i) {
    const ImGuiTable* t = g.Tables.GetByIndex(i);
    if (t->ColumnsCount == 2 && t->LastFrameActive == g.FrameCount &&
        std::string(t->OuterWindow->RootWindow->Name) == panel_info(PanelId::detail).label())
      cell = t;
  }
  ASSERT_NE(cell, nullptr) << "no One cell table drawn";
  EXPECT_GE(cell->Columns[0].WidthGiven + 0.5f, ImGui::CalcTextSize("query i, key j").x);
  EXPECT_GE(cell->Columns[1].WidthGiven + 0.5f, ImGui::CalcTextSize("yes: score −∞, weight 0").x * 0.5f);
  EXPECT_LE(cell->OuterRect.GetHeight(), ImGui::GetTextLineHeightWithSpacing() * 12)
      << "rows wrapped over several lines";
}

TEST_F(Linked, PaddingCommandGivesThePaddingMasksWorkToDo) {
  commands.push(SetPadding{3});
  apply_commands(commands, app, selection);
  EXPECT_EQ(app.session.pad(), 3);
  const analysis::Masks masks = analysis::masks_of(app.session.trace());
  EXPECT_EQ(masks.src_padding.value.cols(), 8);
  EXPECT_EQ(masks.src_padding.value(0, 7), 0);
  EXPECT_EQ(masks.src_padding.value(0, 4), 1);
  ui.view = PanelId::masking;
  frames(3);
  commands.push(SetPadding{1000});  // longer than max_len: refused, nothing changes
  apply_commands(commands, app, selection);
  EXPECT_EQ(app.session.pad(), 3);
  EXPECT_FALSE(app.sentence_message.empty());
}

TEST_F(Linked, ExplorerClampsLengthAndRefusesAnOddWidth) {
  PePanel pe;
  EXPECT_NE(pe.apply(100000, 64, 10000).find("clamped to 512"), std::string::npos);
  EXPECT_EQ(pe.request().max_len, 512);
  EXPECT_NE(pe.apply(20, 7, 10000).find("must be even"), std::string::npos);
  EXPECT_EQ(pe.request().d_model, 64);
  EXPECT_NE(pe.apply(20, 1024, -1).find("base"), std::string::npos);
  EXPECT_EQ(pe.request().d_model, 512);
  EXPECT_EQ(pe.request().base, 10000);
  EXPECT_TRUE(pe.apply(512, 512, 10000).empty());
}

TEST_F(Linked, The512By512ExplorerIsTexturesUploadedOnce) {
  EXPECT_TRUE(ui.panel<PePanel>(PanelId::position).apply(512, 512, 10000).empty());
  ui.view = PanelId::position;
  frames(3);
  const int uploads = textures.uploads();
  frames(5);
  EXPECT_EQ(textures.uploads(), uploads);
  // 512 × 512 cells as rectangles would be over a million vertices.
  EXPECT_LT(ImGui::GetDrawData()->TotalVtxCount, 60000);
  EXPECT_EQ(ui.panel<PePanel>(PanelId::position).request().max_len, 512);
}

TEST_F(Linked, OutputPanelDecodesWhatTheModelDecodes) {
  OutputPanel output;
  output.decode(app);
  Transformer copy = analysis::with_config(app.session.model(), app.session.config());
  analysis::DecodeOptions options;
  const SpecialIds& tokens = app.session.preset().tgt_vocab.specials();
  const analysis::GreedyResult greedy = analysis::greedy_decode(copy, app.session.example().src, tokens, options);
  const analysis::BeamResult beam = analysis::beam_search(copy, app.session.example().src, tokens, options);
  ASSERT_TRUE(output.greedy() && output.beam());
  EXPECT_EQ(output.greedy()->words, greedy.words);
  EXPECT_DOUBLE_EQ(output.greedy()->score, greedy.score);
  EXPECT_EQ(output.beam()->best.words, beam.best.words);
  EXPECT_DOUBLE_EQ(output.beam()->best.score, beam.best.score);
  ui.view = PanelId::output;
  frames(3);
  EXPECT_GT(ImGui::GetDrawData()->TotalVtxCount, 1000);
}

TEST_F(Linked, RightClickOnAPanelSavesItAsAnImageOnTheNextFrame) {
  ui.view = PanelId::output;
  frames(2);
  const ImGuiWindow* window = ImGui::FindWindowByName("###Output");
  ASSERT_NE(window, nullptr);
  // An empty spot: the far right of the panel, below its first lines.
  ImGui::GetIO().MousePos = ImVec2(window->Pos.x + window->Size.x - 40, window->Pos.y + window->Size.y - 40);
  frame();
  ImGui::GetIO().MouseDown[1] = true;
  frame();
  ImGui::GetIO().MouseDown[1] = false;
  frame();
  // Click the menu's only item, just below and right of where the menu opened.
  ImGui::GetIO().MousePos = ImVec2(ImGui::GetIO().MousePos.x + 20, ImGui::GetIO().MousePos.y + 10);
  frame();
  auto frame_effects = [&] {
    ImGui::NewFrame();
    ui.begin_frame(selection);
    ui.draw(app, selection, commands);
    ImGui::Render();
    return apply_commands(commands, app, selection);
  };
  ImGui::GetIO().MouseDown[0] = true;
  EXPECT_TRUE(frame_effects().images.empty());
  ImGui::GetIO().MouseDown[0] = false;
  EXPECT_TRUE(frame_effects().images.empty());  // released: the item is chosen, the menu still drawn
  const Effects next = frame_effects();
  ASSERT_EQ(next.images.size(), 1u);
  EXPECT_EQ(next.images[0].name, "attnviz-output");
  EXPECT_FLOAT_EQ(next.images[0].max.x - next.images[0].min.x, window->Size.x);
}

TEST(MatrixCsv, LabelsValuesAndMinusInfinity) {
  Mat m(2, 2);
  m << 1.5, -std::numeric_limits<double>::infinity(), 0, 2;
  const std::vector<std::string> rows = {"a", "b,c"}, cols = {"x", "y"};
  EXPECT_EQ(matrix_csv(m, rows, cols), ",x,y\na,1.5,-inf\n\"b,c\",0,2\n");
}

}  // namespace
}  // namespace attnviz::views

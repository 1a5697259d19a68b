// The panel registry: every row complete and every name its own; the old names (pe, positional,
// navigator, chain, chain_rule, mask, walkthrough) still lead to their panels; every panel can be
// brought forward in the overview; a lesson's open.panel is a panel, or a block of the figure
// whose first step the cursor goes to, or is refused with the names it could have been.

#include "headless_ui.h"
#include "model/error.h"
#include "model/io/lesson_file.h"
#include "views/lesson_loader.h"
#include "views/panels.h"

#include <gtest/gtest.h>
#include <imgui_internal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <unistd.h>

namespace attnviz::views {
namespace {

std::string lesson_file(const char* name) { return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/" + name; }

template <class F>
std::string rejection_of(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

std::string normalised(std::string name) {
  for (char& c : name)
    if (c == '_') c = '-';
  return name;
}

TEST(PanelRegistry, EveryRowHasItsFieldsAndEveryNameIsItsOwn) {
  std::set<std::string> names;
  std::size_t count = 0;
  const auto add = [&](const char* name, const char* row) {
    ASSERT_NE(name, nullptr) << row;
    EXPECT_FALSE(std::string(name).empty()) << row;
    ++count;
    EXPECT_TRUE(names.insert(normalised(name)).second) << "two rows share the name " << name;
  };
  ASSERT_EQ(panel_table().size(), panel_count);
  for (std::size_t i = 0; i < panel_table().size(); ++i) {
    const PanelInfo& row = panel_table()[i];
    ASSERT_NE(row.title, nullptr) << "row " << i;
    EXPECT_FALSE(std::string(row.title).empty()) << "row " << i;
    EXPECT_EQ(static_cast<std::size_t>(row.id), i) << row.title;
    EXPECT_EQ(row.make == nullptr, row.home == Home::whole) << row.title << ": a panel needs its maker";
    add(row.name, row.title);
    for (const char* alias : row.aliases)
      if (alias) add(alias, row.title);
    EXPECT_EQ(panel_named(row.name), row.id) << row.name;
  }
  // The names a lesson may open on beyond the panels (embedding, feed-forward) are unique too.
  for (const std::string& name : lesson_panel_names())
    if (!panel_named(name)) add(name.c_str(), "lesson block");
  EXPECT_EQ(names.size(), count);
}

TEST(PanelRegistry, OldNamesStillLeadToTheirPanels) {
  const std::pair<const char*, std::optional<PanelId>> names[] = {
      {"pe", PanelId::position},           {"positional", PanelId::position},
      {"position", PanelId::position},     {"navigator", PanelId::architecture},
      {"chain", PanelId::chain_rule},      {"chain_rule", PanelId::chain_rule},
      {"chain-rule", PanelId::chain_rule}, {"mask", PanelId::masking},
      {"walkthrough", PanelId::detail},    {"gradlab_transformer", PanelId::gradlab_transformer},
      {"Position", std::nullopt},          {"sideways", std::nullopt},
  };
  for (const auto& [name, panel] : names) EXPECT_EQ(panel_named(name), panel) << name;
  EXPECT_EQ(panel_names(Home::centre_tab), "heads, attention, masking, position or output");
}

Lesson lesson_opening_on(const char* panel, const char* file = "word-order.json") {
  Lesson lesson = io::read_lesson_file(lesson_file(file));
  lesson.panel = panel;
  return lesson;
}

TEST(LessonOpening, EveryShippedLessonOpensOnAPanel) {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons"))
    if (entry.path().extension() == ".json") {
      EXPECT_NO_THROW(read_lesson(entry.path().string())) << entry.path();
    }
}

TEST(LessonOpening, BlocksOpenTheStepDetailAndUnknownNamesAreRefused) {
  LessonOpening o = lesson_opening(lesson_opening_on("feed_forward"));
  EXPECT_EQ(o.panel, PanelId::detail);
  EXPECT_EQ(o.block, Sublayer::ffn);
  o = lesson_opening(lesson_opening_on("embedding"));
  EXPECT_EQ(o.block, Sublayer::embed);
  o = lesson_opening(lesson_opening_on("positional"));
  EXPECT_EQ(o.panel, PanelId::position);
  EXPECT_FALSE(o.block);
  EXPECT_EQ(rejection_of([] { lesson_opening(lesson_opening_on("sideways")); }),
            "open.panel = 'sideways': not a panel name; expected architecture, steps, detail, chain-rule, heads, "
            "attention, masking, position, output, gradlab-scalar, gradlab-depth, gradlab-transformer, training, tour, "
            "why-attention, "
            "embedding or feed-forward");
  EXPECT_NE(rejection_of([] { lesson_opening(lesson_opening_on("overview")); }).find("not a panel name"),
            std::string::npos);
  EXPECT_EQ(rejection_of([] { lesson_opening(lesson_opening_on("feed_forward", "self-attention-by-hand.json")); }),
            "open.panel = 'feed_forward': this lesson is one attention head, its trace has no feed-forward step");
}

TEST(LessonOpening, AFileWithAnUnknownPanelIsRefusedWithItsName) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("attnviz-panels-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ifstream in(lesson_file("tiny-translation.json"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("\"panel\": \"output\""), 17, "\"panel\": \"sideways\"");
  const std::string path = (dir / "tiny.json").string();
  std::ofstream(path) << text;
  const std::string message = rejection_of([&] { read_lesson(path); });
  std::filesystem::remove_all(dir);
  EXPECT_EQ(message.rfind(path + ": open.panel = 'sideways': not a panel name; expected architecture", 0), 0u)
      << message;
}

class PanelsInTheOverview : public HeadlessUi {
 protected:
  // The centre window's tab bar: the title of the tab shown.
  std::string centre_tab() const {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    for (int i = 0; i < g.TabBars.GetBufSize(); ++i) {
      const ImGuiTabBar* bar = g.TabBars.GetByIndex(i);
      if (bar->Tabs.Size != 6) continue;
      for (const ImGuiTabItem& tab : bar->Tabs)
        if (tab.ID == bar->VisibleTabId) return bar->GetTabName(&tab);
    }
    return "";
  }
};

TEST_F(PanelsInTheOverview, EveryPanelCanBeBroughtForward) {
  for (const PanelInfo& row : panel_table()) {
    SCOPED_TRACE(row.name);
    ui.show(row.id);
    frames(3);
    EXPECT_TRUE(ui.shown(row.id));
    if (row.home == Home::centre_tab || row.id == PanelId::detail) {
      EXPECT_EQ(centre_tab(), row.label());
    }
    if (row.home == Home::gradient_lab || row.home == Home::floating) {
      const ImGuiWindow* window =
          ImGui::FindWindowByName(row.home == Home::floating ? row.label().c_str() : "###Gradient lab");
      ASSERT_NE(window, nullptr);
      EXPECT_TRUE(window->Active);
      ui.hide(row.id);
      frames(2);
      EXPECT_FALSE(ui.shown(row.id));
    }
  }
}

TEST_F(PanelsInTheOverview, AFeedForwardLessonOpensOnItsFirstFeedForwardStep) {
  app.lesson = lesson_opening_on("feed_forward");
  const Trace& trace = app.session.trace();
  ui.show(PanelId::output);
  frames(2);
  go_to_step(app, selection, 0);
  ui.open_lesson_panel(app, selection);
  frames(2);
  EXPECT_EQ(trace.step(selection.step).label.rfind("encoder.0.ffn.", 0), 0u) << trace.step(selection.step).label;
  EXPECT_EQ(centre_tab(), panel_info(PanelId::detail).label());
  // From a step in the decoder: the decoder's first feed-forward step after it.
  go_to_step(app, selection, step_labelled("decoder.0.self_attn.q_proj", Phase::forward));
  ui.open_lesson_panel(app, selection);
  EXPECT_EQ(trace.step(selection.step).label.rfind("decoder.0.ffn.", 0), 0u) << trace.step(selection.step).label;
  app.lesson = lesson_opening_on("embedding");
  go_to_step(app, selection, step_labelled("encoder.1.self_attn.q_proj", Phase::forward));
  ui.open_lesson_panel(app, selection);
  EXPECT_EQ(trace.step(selection.step).where.sublayer, Sublayer::embed) << trace.step(selection.step).label;
  EXPECT_EQ(trace.step(selection.step).where.stack, Stack::decoder);
}

}  // namespace
}  // namespace attnviz::views

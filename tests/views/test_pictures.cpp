// Pictures for slides: a right-click on a heatmap offers Save picture… beside Copy as CSV; the
// path typed in the File menu's dialog becomes a SavePicture for that figure; on the next frame
// the figure draws itself again, alone, on the picture canvas at twice its size (text included,
// not its pixels scaled up).  File ▸ Save window as PNG… asks for a path the same way.

#include "headless_ui.h"
#include "views/figure.h"
#include "views/i18n.h"
#include "views/step_detail_panel.h"

#include <imgui_internal.h>

#include <algorithm>
#include <cfloat>

namespace attnviz::views {
namespace {

// A second ImGui context with ImGui's own font at picture_scale × 13 px and the window's style
// at picture_scale: what the app's canvas is, without GL.  Keeps the bounding box of what the
// figure drew and the picture's size.
class HeadlessCanvas final : public PictureCanvas {
 public:
  explicit HeadlessCanvas(Theme theme) {
    ImGuiContext* window = ImGui::GetCurrentContext();
    context_ = ImGui::CreateContext();
    ImGui::SetCurrentContext(context_);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    ImFontConfig config;
    config.SizePixels = 13 * picture_scale;
    io.Fonts->AddFontDefault(&config);
    io.Fonts->Build();
    apply_style(theme, picture_scale);
    ImGui::SetCurrentContext(window);
  }
  ~HeadlessCanvas() override { ImGui::DestroyContext(context_); }

  void begin(ImVec2 display) override {
    window_ = ImGui::GetCurrentContext();
    ImGui::SetCurrentContext(context_);
    ImGui::GetIO().DisplaySize = display;
    ImGui::GetIO().DeltaTime = 1.0f / 60;
    ImGui::NewFrame();
  }
  void end(ImVec2 picture_size) override {
    ImGui::Render();
    picture = picture_size;
    const ImDrawData* data = ImGui::GetDrawData();
    for (int l = 0; l < data->CmdListsCount; ++l)
      for (const ImDrawVert& v : data->CmdLists[l]->VtxBuffer) {
        drawn_min = ImVec2(std::min(drawn_min.x, v.pos.x), std::min(drawn_min.y, v.pos.y));
        drawn_max = ImVec2(std::max(drawn_max.x, v.pos.x), std::max(drawn_max.y, v.pos.y));
        ++vertices;
      }
    ImGui::SetCurrentContext(window_);
  }

  ImVec2 picture, drawn_min{FLT_MAX, FLT_MAX}, drawn_max{-FLT_MAX, -FLT_MAX};
  int vertices = 0;

 private:
  ImGuiContext* context_ = nullptr;
  ImGuiContext* window_ = nullptr;
};

struct Pictures : HeadlessUi {
  void SetUp() override {
    HeadlessUi::SetUp();
    ui.view = PanelId::detail;  // the step detail alone: its first heatmap is a figure
    frames(3);
  }
  ImGuiIO& io() { return ImGui::GetIO(); }
  // The mouse at `at` and one frame with `button` down, one with it up, and one more (a menu it
  // opened is laid out on its second frame).
  Effects click(ImVec2 at, int button) {
    io().MousePos = at;
    io().MouseDown[button] = true;
    frame();
    io().MouseDown[button] = false;
    const Effects effects = frame();
    frame();
    return effects;
  }
  // The popup opened last (the right-click menu), or nullptr.
  ImGuiWindow* open_popup() {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    return g.OpenPopupStack.empty() ? nullptr : g.OpenPopupStack.back().Window;
  }
  // The centre of the menu's row `row` (from 0): rows are a line and the item spacing apart.
  ImVec2 menu_row(const ImGuiWindow* menu, int row) {
    const float pitch = ImGui::GetTextLineHeightWithSpacing();
    return ImVec2(
        menu->DC.CursorStartPos.x + ImGui::GetFontSize() * 2,
        menu->DC.CursorStartPos.y + pitch * (static_cast<float>(row) + 0.5f) - ImGui::GetStyle().ItemSpacing.y / 2);
  }
  // Enter in the path dialog (its text field has the keyboard): the command it pushes, applied.
  Effects press_enter() {
    io().KeysDown[300 + ImGuiKey_Enter] = true;
    const Effects effects = frame();
    io().KeysDown[300 + ImGuiKey_Enter] = false;
    frame();
    return effects;
  }
};

TEST(PictureFileName, WordsOfTheNameJoinedByDashes) {
  EXPECT_EQ(picture_file_name("Weights after softmax: exactly 0 where masked"),
            "weights-after-softmax-exactly-0-where-masked.png");
  EXPECT_EQ(picture_file_name("Q, head 2: 5 source tokens × 4 features"), "q-head-2-5-source-tokens-4-features.png");
  EXPECT_EQ(picture_file_name("‖∂L/∂W‖"), "l-w.png");
  EXPECT_EQ(picture_file_name("∂∂"), "figure.png");
  EXPECT_TRUE(names_figure("similarity-pe-pe", "Similarity PE·PEᵀ"));
  EXPECT_FALSE(names_figure("similarity", "Similarity PE·PEᵀ"));
}

TEST_F(Pictures, RightClickOnAHeatmapOffersCopyAsCsvAndSavePicture) {
  const ImRect heatmap = ui.detail().first_matrix();
  ASSERT_GT(heatmap.GetWidth(), 20);
  click(heatmap.GetCenter(), 1);
  const ImGuiWindow* menu = open_popup();
  ASSERT_NE(menu, nullptr) << "no menu on a right-click";
  // Rows: the figure's name, "R × C matrix", Copy as CSV, Save picture….
  const Effects asked = click(menu_row(menu, 3), 0);

  EXPECT_FALSE(asked.picture) << "the path is asked for first";
  frame();
  const Effects saved = press_enter();
  ASSERT_TRUE(saved.picture) << "Enter in the path dialog saves the picture";
  EXPECT_FALSE(saved.picture->window);
  EXPECT_NE(saved.picture->figure, 0u);
  EXPECT_EQ(saved.picture->path, picture_file_name(saved.picture->name)) << "offered in the working folder";
  EXPECT_NE(saved.picture->name.find(':'), std::string::npos)
      << "named by the heatmap's caption: " << saved.picture->name;
}

// In Korean a heatmap's caption is translated, but Save picture… offers the file name the
// English window offers: the caption's English words ("q-head-2-5-source-tokens-4-features.png"),
// not the few ASCII characters left of the Korean ones.
TEST_F(Pictures, InKoreanAHeatmapIsOfferedUnderItsEnglishName) {
  const auto offered = [&]() -> std::string {
    click(ui.detail().first_matrix().GetCenter(), 1);
    const ImGuiWindow* menu = open_popup();
    if (!menu) return "no menu";
    click(menu_row(menu, 3), 0);
    frame();
    const Effects saved = press_enter();
    return saved.picture ? saved.picture->path : "not saved";
  };
  const std::string english = offered();
  commands.push(SetLanguage{Language::ko});
  apply_commands(commands, app, selection);
  EXPECT_EQ(interface_language(), Language::ko);
  frames(3);
  const std::string korean = offered();
  set_interface_language(Language::en);
  EXPECT_EQ(korean, english);
  EXPECT_NE(english.find("-tokens"), std::string::npos) << english;
}

// The figure asked for draws again on the canvas, twice as large in every direction (its
// caption, labels, cells and colour bar), within a picture of twice its size with padding.
TEST_F(Pictures, TheFigureDrawsItselfAgainAtTwiceItsSize) {
  const ImRect heatmap = ui.detail().first_matrix();
  click(heatmap.GetCenter(), 1);
  ASSERT_NE(open_popup(), nullptr);
  click(menu_row(open_popup(), 3), 0);
  frame();
  const Effects saved = press_enter();
  ASSERT_TRUE(saved.picture);

  HeadlessCanvas canvas(app.theme);
  app.picture = saved.picture;
  app.canvas = &canvas;
  frame();
  ASSERT_TRUE(canvas.drawn) << "the figure was not drawn on the canvas";
  const ImVec2 on_screen = canvas.on_screen;
  EXPECT_NEAR(on_screen.x, heatmap.GetWidth(), 1);
  EXPECT_NEAR(on_screen.y, heatmap.GetHeight(), 1);
  const ImVec2 pad = ImGui::GetStyle().WindowPadding;
  EXPECT_FLOAT_EQ(canvas.picture.x, picture_scale * (on_screen.x + 2 * pad.x));
  EXPECT_NEAR(canvas.picture.y, picture_scale * (on_screen.y + 2 * pad.y), on_screen.y * 0.1f);
  const float drawn_w = canvas.drawn_max.x - canvas.drawn_min.x, drawn_h = canvas.drawn_max.y - canvas.drawn_min.y;
  EXPECT_NEAR(drawn_w, picture_scale * on_screen.x, on_screen.x * 0.1f) << "not drawn at twice the width";
  // The item ends a few fixed pixels under the colour bar's text: the drawing is a little less
  // than twice the item's height.
  EXPECT_GT(drawn_h, picture_scale * on_screen.y * 0.9f) << "not drawn at twice the height";
  EXPECT_LE(drawn_h, picture_scale * on_screen.y);
  EXPECT_LE(canvas.drawn_max.y, canvas.picture.y) << "the picture cuts the figure off";
  EXPECT_GT(canvas.vertices, 200);

  // One picture per request: the next frame draws nothing more on the canvas.
  const int vertices = canvas.vertices;
  frame();
  EXPECT_EQ(canvas.vertices, vertices);
  app.canvas = nullptr;
}

// A figure that is not in view this frame draws nothing on the canvas (the app then says so).
TEST_F(Pictures, AFigureNotInViewDrawsNothing) {
  HeadlessCanvas canvas(app.theme);
  SavePicture picture;
  picture.figure = 12345;
  picture.path = "x.png";
  app.picture = picture;
  app.canvas = &canvas;
  frame();
  EXPECT_FALSE(canvas.drawn);
  app.canvas = nullptr;
}

TEST_F(Pictures, FileSaveWindowAsPngAsksForAPath) {
  ui.view = PanelId::overview;
  frames(2);
  const ImGuiWindow* bar = ImGui::FindWindowByName("##MainMenuBar");
  ASSERT_NE(bar, nullptr);
  click(ImVec2(bar->Pos.x + ImGui::CalcTextSize("File").x / 2 + ImGui::GetStyle().ItemSpacing.x,
               bar->Pos.y + bar->Size.y / 2),
        0);
  const ImGuiWindow* menu = open_popup();
  ASSERT_NE(menu, nullptr) << "the File menu did not open";
  // Rows: Open lesson…, Open weights…, a separator, Save weights…, Save lesson…, Save window as PNG….
  const float separator = ImGui::GetStyle().ItemSpacing.y + 1;
  ImVec2 at = menu_row(menu, 4);
  at.y += separator;
  click(at, 0);
  frame();
  const Effects saved = press_enter();
  ASSERT_TRUE(saved.picture) << "no SavePicture from File ▸ Save window as PNG…";
  EXPECT_TRUE(saved.picture->window);
  EXPECT_EQ(saved.picture->path, "attnviz-window.png");
}

}  // namespace
}  // namespace attnviz::views

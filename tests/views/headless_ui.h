#pragma once
// The views tests' fixture: Dear ImGui's headless context (a built font atlas, a 1600×900
// display, native key indices 300 + ImGuiKey_), and the whole UI drawn over one AppState.

#include "model/presets.h"
#include "views/controller.h"
#include "views/ui.h"

#include <gtest/gtest.h>
#include <imgui.h>

#include <fstream>
#include <optional>
#include <utility>

namespace attnviz::views {

class HeadlessUi : public ::testing::Test {
 protected:
  explicit HeadlessUi(Session session = Session(make_preset("lesson"))) : app(std::move(session)) {}

  void SetUp() override {
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1600, 900);
    io.DeltaTime = 1.0f / 60;
    for (int key = 0; key < ImGuiKey_COUNT; ++key) io.KeyMap[key] = 300 + key;
    io.Fonts->AddFontDefault();
    io.Fonts->Build();
    app.textures = &textures;
    go_to_step(app, selection, 0);
  }
  void TearDown() override { ImGui::DestroyContext(); }

  // The app's text at `scale` (DejaVu Sans at 18 px × scale, as the app builds it; ImGui's own
  // font where DejaVu is missing) and its style, on a display of `display` pixels.  Between frames.
  void set_text_size(float scale, ImVec2 display) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = display;
    io.Fonts->Clear();
    static ImVector<ImWchar> ranges;
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(io.Fonts->GetGlyphRangesDefault());
    builder.AddText("◀▶–−∂√Σ…‖×·÷ᵀ₀₁₂₃ₖ‹›⇄✓✗→←");
    ranges.clear();
    builder.BuildRanges(&ranges);
    const char* dejavu = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    if (!std::ifstream(dejavu) || !io.Fonts->AddFontFromFileTTF(dejavu, 18 * scale, nullptr, ranges.Data)) {
      ImFontConfig config;
      config.SizePixels = 18 * scale;
      io.Fonts->AddFontDefault(&config);
    }
    io.Fonts->Build();
    app.ui_scale = scale;
    apply_style(app.theme, scale);
  }

  // One frame of the whole UI, then its commands applied as the app does after Render().
  Effects frame() {
    ImGui::NewFrame();
    ui.begin_frame(selection);
    ui.draw(app, selection, commands);
    ImGui::Render();
    return apply_commands(commands, app, selection);
  }
  void frames(int n) {
    for (int i = 0; i < n; ++i) frame();
  }
  int step_labelled(const char* label, Phase phase) {
    const std::optional<int> step = app.session.trace().find_step(label, phase);
    EXPECT_TRUE(step.has_value()) << label;
    return step.value_or(0);
  }
  int vertices() const { return ImGui::GetDrawData() ? ImGui::GetDrawData()->TotalVtxCount : 0; }

  AppState app;
  HeadlessTextureCache textures;
  Selection selection;
  Commands commands;
  Ui ui;
};

}  // namespace attnviz::views

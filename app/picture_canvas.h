#pragma once
// The canvas a figure's picture is drawn on (views/figure.h): a Dear ImGui context of its own
// with the window's fonts built at picture_scale × the text size and the window's style scaled
// alike, rendered into a framebuffer object of its own and read back.  One canvas per picture.

#include "app/fonts.h"
#include "app/window.h"
#include "views/figure.h"
#include "views/theme.h"

struct ImGuiContext;

namespace attnviz::app {

class GlPictureCanvas final : public views::PictureCanvas {
 public:
  // `fonts`: the window's (its glyphs); `pixels`: the window's text height.
  GlPictureCanvas(const Fonts& fonts, float pixels, views::Theme theme, float ui_scale);
  ~GlPictureCanvas() override;
  GlPictureCanvas(const GlPictureCanvas&) = delete;
  GlPictureCanvas& operator=(const GlPictureCanvas&) = delete;

  void begin(ImVec2 display) override;
  void end(ImVec2 picture) override;

  const Image& image() const { return image_; }  // empty until end()

 private:
  Fonts fonts_;  // a copy: its glyph ranges outlive the canvas's atlas
  views::Theme theme_;
  ImGuiContext* context_ = nullptr;
  ImGuiContext* window_context_ = nullptr;  // current before begin()
  Image image_;
};

}  // namespace attnviz::app

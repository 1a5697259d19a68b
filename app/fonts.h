#pragma once
// DejaVu Sans for text and maths (√ ∂ Σ ᵀ −∞ ×), NanumGothic merged in for Hangul.  Glyph ranges
// come from the strings actually shown (the full Korean range would cost a 16–32 MiB atlas).
// A missing font file gives ImGui's default font and a one-line notice, never a crash.

#include <imgui.h>

#include <string>

namespace attnviz::app {

struct FontFiles {
  std::string text = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  std::string hangul = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf";
};

class Fonts {
 public:
  explicit Fonts(FontFiles files = {}) : files_(std::move(files)) {}

  // Adds the glyphs of `text`; true when some were new (the atlas must be rebuilt).
  bool add_text(const std::string& text);
  // Clears and rebuilds io.Fonts at `pixels` high; returns a notice ("" when all fonts loaded).
  std::string build(float pixels);

 private:
  FontFiles files_;
  ImVector<ImWchar> ranges_;  // must outlive the atlas build
  std::string shown_;         // every string whose glyphs the atlas holds
  ImFontGlyphRangesBuilder builder_;
};

// The UI's own symbols: arrows, maths, subscripts, box drawing, check marks.
extern const char* const ui_symbols;

}  // namespace attnviz::app

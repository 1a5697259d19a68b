#include "app/fonts.h"

#include <filesystem>

namespace attnviz::app {

const char* const ui_symbols =
    "√∂Σσμγβαδεωᵀ−∞×·÷≈≠≤≥±→←↑↓⇄◀▶›‹«»…–—‖∑∏ⁱ⁻⁰¹²³⁴⁵⁶⁷⁸⁹ₖᵢⱼₜ₀₁₂₃⊙✓✗•○●■□∧∨λπ“”‘’ (){}[]|";

bool Fonts::add_text(const std::string& text) {
  ImFontGlyphRangesBuilder probe;
  probe.AddText(text.c_str());
  bool added = false;
  for (int c = 0; c < 0x10000; ++c)
    if (probe.GetBit(static_cast<std::size_t>(c)) && !builder_.GetBit(static_cast<std::size_t>(c))) {
      builder_.SetBit(static_cast<std::size_t>(c));
      added = true;
    }
  return added;
}

std::string Fonts::build(float pixels) {
  ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
  atlas.Clear();
  builder_.AddRanges(atlas.GetGlyphRangesDefault());
  builder_.AddText(ui_symbols);
  ranges_.clear();
  builder_.BuildRanges(&ranges_);

  std::string notice;
  ImFontConfig text_config;
  text_config.OversampleH = 2;
  text_config.OversampleV = 1;
  if (!std::filesystem::exists(files_.text) ||
      !atlas.AddFontFromFileTTF(files_.text.c_str(), pixels, &text_config, ranges_.Data)) {
    ImFontConfig fallback;
    fallback.SizePixels = pixels;
    atlas.AddFontDefault(&fallback);
    notice = files_.text + " missing: default font (install fonts-dejavu-core).";
  }
  // Hangul (and whatever else the first font lacks) from NanumGothic.
  ImFontConfig merge;
  merge.MergeMode = true;
  merge.OversampleH = 1;
  merge.OversampleV = 1;
  if (!std::filesystem::exists(files_.hangul) ||
      !atlas.AddFontFromFileTTF(files_.hangul.c_str(), pixels, &merge, ranges_.Data)) {
    if (!notice.empty()) notice += ' ';
    notice += files_.hangul;
    notice += " missing: no Korean (install fonts-nanum).";
  }
  atlas.Build();
  return notice;
}

}  // namespace attnviz::app

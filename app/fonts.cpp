#include "app/fonts.h"

#include "model/translatable.h"
#include "views/i18n.h"

#include <filesystem>

namespace attnviz::app {

const char* const ui_symbols = "√∂Σσμγβαδεωᵀ−∞×·÷≈≠≤≥±→←↑↓⇄◀▶›‹«»…–—‖∑∏ⁱ⁻⁰¹²³⁴⁵⁶⁷⁸⁹ₖᵢⱼₜ₀₁₂₃⊙✓✗•○●■□∧∨λπ“”‘’ (){}[]|";

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

  ImFontConfig text_config;
  text_config.OversampleH = 2;
  text_config.OversampleV = 1;
  const bool text_loaded = std::filesystem::exists(files_.text) &&
                           atlas.AddFontFromFileTTF(files_.text.c_str(), pixels, &text_config, ranges_.Data);
  if (!text_loaded) {
    ImFontConfig fallback;
    fallback.SizePixels = pixels;
    atlas.AddFontDefault(&fallback);
  }
  // Hangul (and whatever else the first font lacks) from NanumGothic.
  ImFontConfig merge;
  merge.MergeMode = true;
  merge.OversampleH = 1;
  merge.OversampleV = 1;
  const bool hangul_loaded = std::filesystem::exists(files_.hangul) &&
                             atlas.AddFontFromFileTTF(files_.hangul.c_str(), pixels, &merge, ranges_.Data);
  atlas.Build();

  // In the window's language while there is a font to draw it: English without the Hangul one.
  std::string notice;
  if (!text_loaded) {
    const char* missing = N_("%s missing: default font (install fonts-dejavu-core).");
    notice = views::formatted(hangul_loaded ? views::tr(missing) : missing, files_.text.c_str());
  }
  if (!hangul_loaded)
    notice += (notice.empty() ? "" : " ") + files_.hangul + " missing: no Korean (install fonts-nanum).";
  return notice;
}

}  // namespace attnviz::app

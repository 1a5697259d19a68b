#include "views/pe_panel.h"

#include "model/analysis/inputs.h"
#include "views/heatmap.h"
#include "views/figure.h"
#include "model/translatable.h"
#include "views/i18n.h"
#include "views/matrix_export.h"
#include "views/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace attnviz::views {
namespace {

struct ImageHit {
  int row = -1, col = -1;
  bool clicked = false;
};

// A matrix as one texture stretched over `size`, with a few row and column ticks.
ImageHit image_heatmap(const char* id, const Mat& m, ImTextureID texture, ValueRange range, ImVec2 size,
                       const Palette& pal, int marked_row, int marked_col) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float line = ImGui::GetTextLineHeight();
  const float tick_w = ImGui::CalcTextSize("000 ").x;
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 p0(origin.x + tick_w, origin.y + line), p1(origin.x + size.x, origin.y + size.y);
  const int rows = static_cast<int>(m.rows()), cols = static_cast<int>(m.cols());
  const float cw = (p1.x - p0.x) / static_cast<float>(cols), ch = (p1.y - p0.y) / static_cast<float>(rows);
  draw->AddImage(texture, p0, p1);
  draw->AddRect(p0, p1, pal.block_border);
  // Values in the cells when they fit (the lesson's 4 × 8 example, say).
  if (rows * cols <= 600 && ch >= line && ImGui::CalcTextSize("−0.000").x <= cw - 2)
    for (int r = 0; r < rows; ++r)
      for (int c = 0; c < cols; ++c) {
        const std::string v = format_value(m(r, c), 3);
        const ImVec2 size = ImGui::CalcTextSize(v.c_str());
        draw->AddText(ImVec2(p0.x + cw * (static_cast<float>(c) + 0.5f) - size.x / 2,
                             p0.y + ch * (static_cast<float>(r) + 0.5f) - size.y / 2),
                      text_on(colour_of(m(r, c), ColourScale::diverging, range)), v.c_str());
      }
  // Every index when there is room for it, else five ticks.
  const bool every_col = cw >= ImGui::CalcTextSize("000").x, every_row = ch >= line;
  for (int k = 0; k < (every_col ? cols : 5); ++k) {
    const int c = every_col ? k : std::min(cols - 1, k * (cols - 1) / 4);
    const std::string t = std::to_string(c);
    const float x = p0.x + cw * (static_cast<float>(c) + 0.5f) - ImGui::CalcTextSize(t.c_str()).x / 2;
    draw->AddText(ImVec2(std::clamp(x, p0.x, p1.x - ImGui::CalcTextSize(t.c_str()).x), origin.y), pal.text, t.c_str());
  }
  for (int k = 0; k < (every_row ? rows : 5); ++k) {
    const int r = every_row ? k : std::min(rows - 1, k * (rows - 1) / 4);
    const std::string u = std::to_string(r);
    const float y =
        every_row ? p0.y + ch * (static_cast<float>(r) + 0.5f) - line / 2 : p0.y + ch * static_cast<float>(r);
    draw->AddText(ImVec2(origin.x, std::min(p1.y - line, y)), pal.text, u.c_str());
  }
  if (marked_row >= 0 && marked_row < rows)
    draw->AddRect(ImVec2(p0.x, p0.y + ch * static_cast<float>(marked_row)),
                  ImVec2(p1.x, p0.y + ch * static_cast<float>(marked_row + 1)), pal.selection_outline, 0, 0, 2);
  if (marked_col >= 0 && marked_col < cols)
    draw->AddRect(ImVec2(p0.x + cw * static_cast<float>(marked_col), p0.y),
                  ImVec2(p0.x + cw * static_cast<float>(marked_col + 1), p1.y), pal.selection_outline, 0, 0, 2);
  ImGui::SetCursorScreenPos(p0);
  ImGui::InvisibleButton(id, ImVec2(std::max(1.0f, p1.x - p0.x), std::max(1.0f, p1.y - p0.y)));
  ImageHit hit;
  if (ImGui::IsItemHovered()) {
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    hit.col = std::clamp(static_cast<int>((mouse.x - p0.x) / cw), 0, cols - 1);
    hit.row = std::clamp(static_cast<int>((mouse.y - p0.y) / ch), 0, rows - 1);
    hit.clicked = ImGui::IsItemClicked();
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, p1.y + 4));
  ImGui::Dummy(ImVec2(size.x, 1));
  return hit;
}

}  // namespace

std::string PePanel::apply(int max_len, int d_model, double base) {
  std::string message;
  const int len = std::clamp(max_len, 1, analysis::max_explorer_len);
  const int d = std::clamp(d_model, 2, analysis::max_explorer_d_model);
  if (len != max_len) message += formatted(tr("positions clamped to %d (1 to 512). "), len);
  if (d != d_model) message += formatted(tr("d_model clamped to %d (2 to 512). "), d);
  analysis::EncodingRequest next = request_;
  next.max_len = len;
  if (d % 2 != 0) {
    message += formatted(tr("d_model %d refused: it must be even (sine and cosine pairs). "), d);
  } else {
    next.d_model = d;
  }
  if (!(base > 0) || !std::isfinite(base)) {
    message += formatted(tr("base %g refused: it must be a positive number. "), base);
  } else {
    next.base = base;
  }
  if (next.max_len != request_.max_len || next.d_model != request_.d_model || next.base != request_.base) {
    request_ = next;
    dirty_ = true;
  }
  edit_len_ = request_.max_len;
  edit_d_ = request_.d_model;
  edit_base_ = request_.base;
  message_ = message;
  return message;
}

void PePanel::recompute() {
  analysis::EncodingRequest r = request_;
  r.layout = Positional::interleaved;
  interleaved_ = analysis::encoding_matrix(r);
  r.layout = Positional::concatenated;
  concatenated_ = analysis::encoding_matrix(r);
  const Mat& shown = layouts == Layouts::concatenated ? concatenated_ : interleaved_;
  similarity_ = analysis::similarity(shown);
  ++version_;
  dirty_ = false;
  if (position >= request_.max_len) position = -1;
  if (dimension >= request_.d_model) dimension = -1;
}

void PePanel::draw(const AppState& app, Selection& selection, Commands&) {
  sentence_view(app, selection);
  explorer(app, selection);
  permutation_view(app);
}

void PePanel::sentence_view(const AppState& app, Selection& selection) {
  const Palette& pal = palette(app.theme);
  const Config& config = app.session.config();
  section_title(tr("Positional encoding of this sentence"), nullptr, pal);
  if (config.positional == Positional::none) {
    ImGui::TextDisabled(tr("The model runs with positional encoding off: PE is all zeros."));
  }
  const analysis::InputParts parts = analysis::input_parts(app.session.trace(), Stack::encoder);
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled(
      tr("PE[p,2i] = sin(p/10000^(2i/d)), PE[p,2i+1] = cos(p/10000^(2i/d)) (%s layout), d = %d; rows are "
         "the source positions, columns the dimensions."),
      tr(to_string(config.positional)), config.d_model);
  ImGui::PopTextWrapPos();
  const float full = ImGui::GetContentRegionAvail().x;
  const float digit = ImGui::CalcTextSize("0").x;
  struct Part {
    const Mat* m;
    const char* caption;
  };
  const Part shown[3] = {
      {&parts.embedding, config.scale_embedding ? N_("Embedding E[id]·√d_model") : N_("Embedding E[id]")},
      {&parts.positional, N_("+ positional encoding PE")},
      {&parts.input, N_("= input to encoder layer 0")},
  };
  section_title(tr("Embedding + positional encoding = input"), tr("— source tokens × features"), pal);
  // Three in a row when each keeps cells of at least 1.2 digits; fewer rows otherwise.
  const float gap = digit * 3;
  const float least = digit * 10 + static_cast<float>(config.d_model) * digit * 1.2f;
  const int per_row = std::clamp(static_cast<int>((full + gap) / (least + gap)), 1, 3);
  const float width = std::min((full - gap * static_cast<float>(per_row - 1)) / static_cast<float>(per_row),
                               digit * 12 + static_cast<float>(config.d_model) * digit * 6);
  for (int i = 0; i < 3; ++i) {
    HeatmapSpec spec;
    spec.name = shown[i].caption;
    spec.caption = tr(shown[i].caption);
    spec.values = shown[i].m;
    spec.texture_key = mix_key(app.generation, 0x9E, static_cast<std::uint64_t>(i));
    spec.row_labels = app.src_words;
    spec.row_tokens = TokenSide::source;
    spec.col_features = true;
    spec.max_width = width;
    if (i % per_row != 0) ImGui::SameLine(0, gap);
    ImGui::PushID(i);
    ImGui::BeginGroup();
    draw_heatmap(spec, HeatmapLook{app.theme, app.textures}, selection);
    ImGui::EndGroup();
    ImGui::PopID();
  }
}

// The explorer's length, d_model and base (applied when an edit ends), and its layouts.
void PePanel::explorer_controls(const Palette& pal) {
  const float font = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(font * 6);
  ImGui::InputInt(labelled("positions").c_str(), &edit_len_, 0, 0);
  const bool len_done = ImGui::IsItemDeactivatedAfterEdit();
  same_line_if_fits(font * 6 + ImGui::CalcTextSize(" d_model").x);
  ImGui::SetNextItemWidth(font * 6);
  ImGui::InputInt("d_model", &edit_d_, 0, 0);  // not translated: a symbol
  const bool d_done = ImGui::IsItemDeactivatedAfterEdit();
  same_line_if_fits(font * 7 + ImGui::CalcTextSize(tr("base")).x + ImGui::CalcTextSize(" ").x);
  ImGui::SetNextItemWidth(font * 7);
  ImGui::InputDouble(labelled("base").c_str(), &edit_base_, 0, 0, "%.6g");
  const bool base_done = ImGui::IsItemDeactivatedAfterEdit();
  if (len_done || d_done || base_done) apply(edit_len_, edit_d_, edit_base_);
  int mode = static_cast<int>(layouts);
  ImGui::RadioButton(tr("interleaved"), &mode, 0);
  ImGui::SameLine();
  ImGui::RadioButton(tr("concatenated"), &mode, 1);
  ImGui::SameLine();
  ImGui::RadioButton(tr("both"), &mode, 2);
  if (mode != static_cast<int>(layouts)) {
    layouts = static_cast<Layouts>(mode);
    dirty_ = true;
  }
  if (!message_.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "%s", message_.c_str());
}

// The encoding in one layout or both, `full` wide: hover a cell for its value and wavelength (and
// the model's token and feature), click it to choose its position and dimension.
void PePanel::encoding_maps(const AppState& app, Selection& selection, float full) {
  const Palette& pal = palette(app.theme);
  const float font = ImGui::GetFontSize();
  const bool both = layouts == Layouts::side_by_side;
  const float w = both ? (full - font) / 2 : full;
  const float h = std::clamp(static_cast<float>(request_.max_len) * 4, font * 8, font * 16);
  struct Shown {
    const Mat* m;
    const char* title;  // English (N_), the figure's name after "PE "
    std::uint64_t salt;
    Positional layout;
  };
  std::vector<Shown> shown;
  if (layouts != Layouts::concatenated)
    shown.push_back({&interleaved_, N_("interleaved (the paper): sin, cos, sin …"), 1, Positional::interleaved});
  if (layouts != Layouts::interleaved)
    shown.push_back({&concatenated_, N_("concatenated: sines, then cosines"), 2, Positional::concatenated});
  for (std::size_t k = 0; k < shown.size(); ++k) {
    if (k > 0) ImGui::SameLine(0, font);
    ImGui::BeginGroup();
    ImGui::PushID(static_cast<int>(k));
    const ImTextureID texture = app.textures ? matrix_texture(*app.textures, mix_key(0xE1, version_, shown[k].salt),
                                                              *shown[k].m, ColourScale::diverging, {-1, 1})
                                             : nullptr;
    ImageHit hit;
    const char* title = tr(shown[k].title);
    figure(
        std::string("PE ") + shown[k].title,
        [&](float scale) {
          ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w * scale);
          ImGui::TextUnformatted(title);
          ImGui::PopTextWrapPos();
          const ImageHit drawn = image_heatmap("pe", *shown[k].m, texture, {-1, 1}, ImVec2(w * scale, h * scale), pal,
                                               position, dimension);
          if (scale == 1) hit = drawn;
        },
        FigureCsv{shown[k].m, {}, {}}, std::string("PE ") + title);
    if (hit.row >= 0) {
      analysis::EncodingRequest r = request_;
      r.layout = shown[k].layout;
      ImGui::SetTooltip(tr("position %d, dimension %d: %s\nwavelength %s"), hit.row, hit.col,
                        format_significant((*shown[k].m)(hit.row, hit.col), 4).c_str(),
                        format_significant(analysis::wavelength(r, hit.col), 4).c_str());
      // Position p and dimension c here are position p of the source and feature c of the model.
      const bool in_sentence = hit.row < static_cast<int>(app.src_words.size());
      if (in_sentence) selection.hover.token = {TokenSide::source, hit.row};
      if (hit.col < app.session.config().d_model) selection.hover.feature = hit.col;
      if (hit.clicked) {
        position = hit.row;
        dimension = hit.col;
        if (in_sentence) selection.token = {TokenSide::source, hit.row};
      }
    }
    ImGui::PopID();
    ImGui::EndGroup();
  }
}

// The chosen position's vector as bars (click a bar: its dimension), `width` wide.
void PePanel::position_vector(const Mat& encoding, float width, const Palette& pal) {
  const int d = request_.d_model;
  if (position < 0 || position >= request_.max_len) {
    ImGui::TextDisabled(tr("Click a position (a row) to see its vector."));
    return;
  }
  std::vector<double> values(static_cast<std::size_t>(d));
  for (int c = 0; c < d; ++c) values[static_cast<std::size_t>(c)] = encoding(position, c);
  std::vector<std::string> labels;
  if (d <= 32)
    for (int c = 0; c < d; ++c) labels.push_back(std::to_string(c));
  int bar = -1;
  bool clicked = false;
  figure(
      "PE vector of position " + std::to_string(position),
      [&](float scale) {
        ImGui::Text(tr("Position %d: its vector PE[%d, :] (%d values)"), position, position, d);
        const int b =
            bar_plot("vector", values, labels, ImVec2(width * scale, ImGui::GetFontSize() * 7), pal, dimension);
        if (scale == 1) {
          bar = b;
          clicked = ImGui::IsItemClicked();
        }
      },
      {}, formatted(tr("PE vector of position %d"), position));
  if (bar >= 0 && clicked) dimension = bar;
}

// The chosen dimension's wave across positions and its wavelength (click a point: its
// position), `width` wide.
void PePanel::dimension_wave(const Mat& encoding, float width, const Palette& pal) {
  const int L = request_.max_len, d = request_.d_model;
  if (dimension < 0 || dimension >= d) {
    ImGui::TextDisabled(tr("Click a dimension (a column) to see its wave across positions."));
    return;
  }
  analysis::EncodingRequest r = request_;
  r.layout = layouts == Layouts::concatenated ? Positional::concatenated : Positional::interleaved;
  const int i = analysis::frequency_index(r, dimension);
  const bool sine = r.layout == Positional::interleaved ? dimension % 2 == 0 : dimension < d / 2;
  const std::string line =
      formatted(tr("Dimension %d (%s, i = %d): wavelength λ = 2π·%g^(2·%d/%d) = %s"), dimension, sine ? "sin" : "cos",
                i, request_.base, i, d, format_significant(analysis::wavelength(r, dimension), 5).c_str());
  std::vector<double> wave(static_cast<std::size_t>(L));
  for (int p = 0; p < L; ++p) wave[static_cast<std::size_t>(p)] = encoding(p, dimension);
  int point = -1;
  bool clicked = false;
  figure(
      "PE wave of dimension " + std::to_string(dimension),
      [&](float scale) {
        wrapped_words(line, width * scale);
        const int p = line_plot("wave", wave,  // not translated: an ImGui ID
                                ImVec2(width * scale, ImGui::GetFontSize() * 7), pal, position);
        if (scale == 1) {
          point = p;
          clicked = ImGui::IsItemClicked();
        }
      },
      {}, formatted(tr("PE wave of dimension %d"), dimension));
  if (point >= 0 && clicked) position = point;
}

// PE·PEᵀ over positions (click a cell: its row's position).
void PePanel::similarity_view(const AppState& app, float full) {
  const Palette& pal = palette(app.theme);
  section_title(tr("Similarity PE·PEᵀ"), tr("— positions × positions; the value depends on the distance p − q only"),
                pal);
  const float side = std::min(full * 0.5f, ImGui::GetFontSize() * 18);
  const ValueRange range = value_range(similarity_, ColourScale::diverging);
  const ImTextureID sim = app.textures ? matrix_texture(*app.textures, mix_key(0xE2, version_, 3), similarity_,
                                                        ColourScale::diverging, range)
                                       : nullptr;
  ImageHit hit;
  figure(
      N_("Similarity PE·PEᵀ"),
      [&](float scale) {
        const ImageHit drawn = image_heatmap("similarity", similarity_, sim, range, ImVec2(side * scale, side * scale),
                                             pal, position, position);
        if (scale == 1) hit = drawn;
      },
      FigureCsv{&similarity_, {}, {}});
  if (hit.row < 0) return;
  ImGui::SetTooltip(tr("PE[%d]·PE[%d] = %s  (distance %d)"), hit.row, hit.col,
                    format_significant(similarity_(hit.row, hit.col), 5).c_str(), std::abs(hit.row - hit.col));
  if (hit.clicked) position = hit.row;
}

void PePanel::explorer(const AppState& app, Selection& selection) {
  const Palette& pal = palette(app.theme);
  const float font = ImGui::GetFontSize();
  section_title(tr("Explorer"), tr("— any length and width; the model above uses its own"), pal);
  explorer_controls(pal);
  if (dirty_) recompute();
  const float full = ImGui::GetContentRegionAvail().x;
  ImGui::PushTextWrapPos(0);
  ImGui::TextDisabled(tr("%d positions (rows) × %d dimensions (columns), base %g — click a position or a dimension"),
                      request_.max_len, request_.d_model, request_.base);
  ImGui::PopTextWrapPos();
  encoding_maps(app, selection, full);
  // The position's bars and the dimension's wave side by side, or stacked when narrow.
  const Mat& encoding = layouts == Layouts::concatenated ? concatenated_ : interleaved_;
  const bool stacked = full < font * 36;
  const float half = stacked ? full : (full - font) / 2;
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + half);
  position_vector(encoding, half, pal);
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  if (!stacked) ImGui::SameLine(0, font);
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + half);
  dimension_wave(encoding, half, pal);
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  similarity_view(app, full);
}

// Two word choices and the run (at once on a small model when the words change): the encoder
// outputs with PE off and on, for the sentence with the two words swapped.
void PePanel::swap_controls(const AppState& app) {
  const float font = ImGui::GetFontSize();
  const int n = static_cast<int>(app.src_words.size());
  swap_i_ = std::clamp(swap_i_, 0, n - 1);
  swap_j_ = std::clamp(swap_j_, 0, n - 1);
  const auto word_combo = [&](const char* id, int& index) {
    ImGui::SetNextItemWidth(font * 8);
    if (!ImGui::BeginCombo(id, app.src_words[static_cast<std::size_t>(index)].c_str())) return;
    for (int t = 0; t < n; ++t) {
      ImGui::PushID(t);
      if (ImGui::Selectable(app.src_words[static_cast<std::size_t>(t)].c_str(), t == index)) index = t;
      ImGui::PopID();
    }
    ImGui::EndCombo();
  };
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Swap"));
  ImGui::SameLine();
  word_combo("##i", swap_i_);
  ImGui::SameLine();
  ImGui::TextUnformatted(tr("and"));
  ImGui::SameLine();
  word_combo("##j", swap_j_);
  same_line_if_fits(ImGui::CalcTextSize(tr("Run with PE off and on")).x + ImGui::GetStyle().FramePadding.x * 2);
  const Config& config = app.session.config();
  const bool small = config.d_model <= 64 && config.encoder_layers <= 2 && app.src_words.size() <= 16;
  const bool stale =
      !swaps_ || swap_generation_ != app.generation || swaps_->pe_off.i != swap_i_ || swaps_->pe_off.j != swap_j_;
  // Small models run it as soon as the words change (two forward passes); big ones on the button.
  if (!ImGui::Button(tr("Run with PE off and on")) && !(small && stale && swap_i_ != swap_j_ && swap_error_.empty()))
    return;
  const Positional on = config.positional == Positional::none ? Positional::interleaved : config.positional;
  const auto swap_with = [&](Positional positional) {
    return analysis::swap_experiment(app.session.model(), app.session.example(), swap_i_, swap_j_, positional);
  };
  try {
    swaps_ = Swaps{swap_with(Positional::none), swap_with(on)};
    swap_generation_ = app.generation;
    swap_error_.clear();
  } catch (const std::exception& e) {
    swaps_.reset();
    swap_error_ = e.what();
  }
}

namespace {

// Per row of the swapped sentence, the largest change of its encoder output with PE off and on.
void swap_table(const analysis::SwapResult& off, const analysis::SwapResult& on,
                const std::vector<std::string>& words) {
  if (!begin_headed_table("swap", {tr("row (was)"), tr("PE off"), tr("PE on")},
                          ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX | ImGuiTableFlags_Borders))
    return;
  for (Eigen::Index t = 0; t < off.row_difference.rows(); ++t) {
    const int from = off.permutation[static_cast<std::size_t>(t)];
    text_row({std::to_string(t) + " “" + words[static_cast<std::size_t>(from)] + "” (" + std::to_string(from) + ")",
              format_significant(off.row_difference(t, 0), 3), format_significant(on.row_difference(t, 0), 3)});
  }
  text_row({tr("largest"), format_significant(off.max_difference, 3), format_significant(on.max_difference, 3)});
  ImGui::EndTable();
}

}  // namespace

void PePanel::permutation_view(const AppState& app) {
  const Palette& pal = palette(app.theme);
  section_title(tr("Does word order matter without positional encoding?"),
                tr("— swap two source words, compare the encoder outputs row by row"), pal);
  if (app.src_words.size() < 2) {
    ImGui::TextDisabled(tr("The source has fewer than two words."));
    return;
  }
  swap_controls(app);
  if (!swap_error_.empty()) ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "%s", swap_error_.c_str());
  if (!swaps_ || swap_generation_ != app.generation) return;
  hint(tr("Per row of the swapped sentence: max over features of |output − the original output of the same word|."));
  if (swaps_->pe_off.i == swaps_->pe_off.j) {
    ImGui::TextDisabled(tr("Choose two different words."));
    return;
  }
  swap_table(swaps_->pe_off, swaps_->pe_on, app.src_words);
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(
      tr("With PE off each output row is the same row, moved: self-attention sees a set of words, "
         "not a sequence. With PE on the rows change: the model knows the order."));
  ImGui::PopTextWrapPos();
}

}  // namespace attnviz::views

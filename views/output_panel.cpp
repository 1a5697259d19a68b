#include "views/output_panel.h"

#include "model/analysis/inputs.h"
#include "model/analysis/output.h"
#include "model/analysis/variant.h"
#include "views/figure.h"
#include "views/heatmap.h"
#include "views/i18n.h"
#include "views/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

namespace attnviz::views {
namespace {

inline constexpr int shown_words = 12;

std::string words_of(const Vocabulary& vocab, const std::vector<int>& ids, std::size_t from = 0) {
  std::string s;
  for (std::size_t i = from; i < ids.size(); ++i) s += (s.empty() ? "" : " ") + vocab.word(ids[i]);
  return s;
}

}  // namespace

void OutputPanel::draw(const AppState& app, Selection& selection, Commands&) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Temperature T"));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 12);
  ImGui::SliderFloat("##temperature", &temperature, 0.1f, 5.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
  temperature = std::clamp(temperature, 0.1f, 5.0f);
  same_line_if_fits(ImGui::CalcTextSize("T = 1").x + ImGui::GetStyle().FramePadding.x * 2);
  if (ImGui::SmallButton("T = 1")) temperature = 1;
  hint(tr("P = softmax(z / T): T < 1 sharpens the distribution, T > 1 flattens it."));
  distribution_view(app, selection);
  saliency_view(app, selection);
  decoding_view(app);
}

namespace {

// The target positions as buttons, "the decoder's input word → the expected next word" with the
// loss there in the tooltip; the current one lit.  Returns the position chosen, if any.
std::optional<int> position_buttons(const AppState& app, Selection& selection, const analysis::OutputDistribution& dist,
                                    int current) {
  std::optional<int> chosen;
  for (int t = 0; t < static_cast<int>(dist.probs.rows()); ++t) {
    ImGui::PushID(t);
    const std::string& in = app.tgt_in_words[static_cast<std::size_t>(t)];
    const std::string& out = app.tgt_out_words[static_cast<std::size_t>(t)];
    char text[160];
    std::snprintf(text, sizeof text, "%s → %s", in.c_str(), out.c_str());
    if (t > 0) same_line_if_fits(ImGui::CalcTextSize(text).x + ImGui::GetStyle().FramePadding.x * 2);
    if (t == current) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    if (ImGui::Button(text)) chosen = t;
    if (t == current) ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) {
      selection.hover.token = {TokenSide::target, t};
      ImGui::SetTooltip(tr("position %d: after “%s” the expected word is “%s”; loss %s"), t, in.c_str(), out.c_str(),
                        format_significant(dist.loss(t, 0), 4).c_str());
    }
    ImGui::PopID();
  }
  return chosen;
}

// The most probable words at `position` as bars, the expected one marked (added under them when
// it is not among them).
void probability_bars(const analysis::OutputDistribution& dist, const Vocabulary& vocab, int position,
                      const Palette& pal) {
  const int V = static_cast<int>(dist.probs.cols());
  const int expected = dist.expected[static_cast<std::size_t>(position)];
  const std::vector<int> top = analysis::top_k(dist.probs, position, std::min(V, shown_words));
  float label_w = 0;
  for (int w : top) label_w = std::max(label_w, ImGui::CalcTextSize(vocab.word(w).c_str()).x);
  label_w += ImGui::GetFontSize();
  const float bar_w = std::clamp(ImGui::GetContentRegionAvail().x - label_w - ImGui::CalcTextSize("0.0000    ").x,
                                 ImGui::GetFontSize() * 6, ImGui::GetFontSize() * 24);
  const double p_max = dist.probs(position, top.front());
  bool expected_shown = false;
  for (int w : top) {
    const bool is_expected = w == expected;
    expected_shown |= is_expected;
    ImGui::PushID(w);
    probability_bar(is_expected ? "✓ " + vocab.word(w) : vocab.word(w), dist.probs(position, w), p_max, label_w, bar_w,
                    is_expected ? pal.accent : sequential_colour(0.35), pal, is_expected);
    ImGui::PopID();
  }
  if (!expected_shown)
    probability_bar("✓ " + vocab.word(expected), dist.probs(position, expected), p_max, label_w, bar_w, pal.accent, pal,
                    true);
}

}  // namespace

void OutputPanel::distribution_view(const AppState& app, Selection& selection) {
  const Palette& pal = palette(app.theme);
  const analysis::OutputDistribution dist =
      analysis::output_distribution(app.session.trace(), temperature, app.session.example().pad_id);
  const Vocabulary& vocab = app.session.preset().tgt_vocab;
  const int T = static_cast<int>(dist.probs.rows()), V = static_cast<int>(dist.probs.cols());
  section_title(tr("Next-word probabilities"),
                V > shown_words ? tr("— the 12 most probable words of each position") : nullptr, pal);
  if (selection.token.side == TokenSide::target && selection.token.index < T) position = selection.token.index;
  position = std::clamp(position, 0, std::max(0, T - 1));
  if (const std::optional<int> chosen = position_buttons(app, selection, dist, position)) {
    position = *chosen;
    selection.token = {TokenSide::target, *chosen};
  }
  if (T == 0) return;
  const int expected = dist.expected[static_cast<std::size_t>(position)];
  ImGui::PushTextWrapPos(0);
  ImGui::Text(tr("Position %d: the decoder has read “%s”; expected “%s”.  Loss −ln P = %s%s"), position,
              app.tgt_in_words[static_cast<std::size_t>(position)].c_str(), vocab.word(expected).c_str(),
              format_significant(dist.loss(position, 0), 4).c_str(),
              expected == dist.pad_id ? tr(" (padding: not counted)") : "");
  ImGui::PopTextWrapPos();
  figure(
      "Next-word probabilities at position " + std::to_string(position),
      [&](float) { probability_bars(dist, vocab, position, pal); }, {},
      formatted(tr("Next-word probabilities at position %d"), position));
  hint(tr("✓ marks the expected word. Training lowers the loss by raising its bar."));
}

void OutputPanel::saliency_view(const AppState& app, Selection& selection) {
  const Palette& pal = palette(app.theme);
  const Trace& trace = app.session.trace();
  section_title(tr("Saliency"), tr("— ‖∂L/∂e_t‖: how much the loss depends on each source token's embedding"), pal);
  if (!trace.has_backward()) {
    ImGui::TextDisabled(tr("Needs the backward pass."));
    return;
  }
  const Mat s = analysis::saliency(trace, Stack::encoder);
  const int n = static_cast<int>(s.rows());
  const float font = ImGui::GetFontSize(), line = ImGui::GetTextLineHeight();
  float word_w = ImGui::CalcTextSize("0.000").x;
  for (const std::string& w : app.src_words) word_w = std::max(word_w, ImGui::CalcTextSize(w.c_str()).x);
  const float col_w = word_w + font;
  const float bar_h = font * 3;
  const double largest = std::max(1e-300, s.maxCoeff());
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  for (int t = 0; t < n; ++t) {
    const float x = origin.x + col_w * static_cast<float>(t);
    const std::string& w = app.src_words[static_cast<std::size_t>(t)];
    const bool lit =
        selection.hover.token == TokenRef{TokenSide::source, t} || selection.token == TokenRef{TokenSide::source, t};
    draw->AddText(ImVec2(x + (col_w - ImGui::CalcTextSize(w.c_str()).x) / 2, origin.y),
                  lit ? pal.hover_outline : pal.text, w.c_str());
    const float h = bar_h * static_cast<float>(s(t, 0) / largest);
    const float top = origin.y + line + 2;
    draw->AddRectFilled(ImVec2(x + font * 0.5f, top), ImVec2(x + col_w - font * 0.5f, top + std::max(1.0f, h)),
                        lit ? pal.hover_outline : sequential_colour(0.3));
    const std::string v = format_significant(s(t, 0), 3);
    draw->AddText(ImVec2(x + (col_w - ImGui::CalcTextSize(v.c_str()).x) / 2, top + bar_h + 2), pal.text, v.c_str());
    ImGui::SetCursorScreenPos(ImVec2(x, origin.y));
    ImGui::PushID(t);
    ImGui::InvisibleButton("token", ImVec2(col_w, line + bar_h + line + 4));
    if (ImGui::IsItemHovered()) {
      selection.hover.token = {TokenSide::source, t};
      ImGui::SetTooltip("‖∂L/∂e[%d]‖ = %s  (“%s”)", t, format_significant(s(t, 0), 5).c_str(), w.c_str());
    }
    if (ImGui::IsItemClicked()) selection.token = {TokenSide::source, t};
    ImGui::PopID();
  }
  ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + line * 2 + bar_h + 8));
  ImGui::Dummy(ImVec2(col_w * static_cast<float>(n), 1));
}

void OutputPanel::decode(const AppState& app) {
  try {
    Transformer model = analysis::with_config(app.session.model(), app.session.config());
    analysis::DecodeOptions options;
    options.temperature = temperature;
    options.beam = 1;
    std::vector<int> src;
    for (int id : app.session.example().src)
      if (id != app.session.example().pad_id) src.push_back(id);
    const SpecialIds& tokens = app.session.preset().tgt_vocab.specials();
    greedy_ = analysis::greedy_decode(model, src, tokens, options);
    options.beam = 2;
    beam_ = analysis::beam_search(model, src, tokens, options);
    decoded_generation_ = app.generation;
    decoded_temperature_ = temperature;
    decode_error_.clear();
  } catch (const std::exception& e) {
    greedy_.reset();
    beam_.reset();
    decoded_generation_ = app.generation;
    decode_error_ = e.what();
  }
}

namespace {

// Greedy decoding step by step: the decoder's input, the word chosen (argmax) with its
// probability, the score so far.
void greedy_table(const analysis::GreedyResult& greedy, const Vocabulary& vocab) {
  if (!begin_headed_table("greedy", {tr("step"), tr("decoder input"), tr("argmax word, P"), tr("score so far")},
                          ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX | ImGuiTableFlags_Borders |
                              ImGuiTableFlags_RowBg))
    return;
  for (std::size_t k = 0; k < greedy.steps.size(); ++k) {
    const analysis::GreedyStep& s = greedy.steps[k];
    text_row({std::to_string(k + 1), words_of(vocab, s.prefix),
              vocab.word(s.word) + "  " + format_value(std::exp(s.log_probs(0, s.word)), 4),
              format_significant(s.score, 4)});
  }
  ImGui::EndTable();
}

// One step of beam search: the hypotheses going in, then its 6 best extensions and every kept
// one (✓, tinted), each with ln P(word) and its score.
void beam_step_table(const analysis::BeamStep& step, const Vocabulary& vocab, const Palette& pal) {
  std::string going_in;
  for (const analysis::Hypothesis& h : step.beams)
    going_in += (going_in.empty() ? "" : "   |   ") + ("<bos> " + words_of(vocab, h.words)) + "  (" +
                format_significant(h.score, 4) + ")";
  ImGui::PushTextWrapPos(0);
  ImGui::Text(tr("Going in: %s"), going_in.c_str());
  ImGui::PopTextWrapPos();
  if (!begin_headed_table("beam", {tr("kept"), tr("hypothesis"), tr("ln P(word)"), tr("score Σ ln P")},
                          ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX | ImGuiTableFlags_Borders))
    return;
  int shown = 0;
  for (const analysis::BeamCandidate& c : step.candidates) {
    if (shown >= 6 && !c.kept) continue;
    ++shown;
    std::vector<int> words = step.beams[static_cast<std::size_t>(c.parent)].words;
    if (c.word >= 0) words.push_back(c.word);
    text_row({c.kept ? "✓" : "", words_of(vocab, words) + (c.word < 0 ? tr("  (finished, carried)") : ""),
              format_significant(c.log_prob, 4), format_significant(c.score, 4)},
             c.kept ? (pal.accent & ~IM_COL32_A_MASK) | IM_COL32(0, 0, 0, 60) : 0);
  }
  ImGui::EndTable();
}

}  // namespace

// Beam search's result, and one of its steps chosen with ◀ ▶ or a slider.
void OutputPanel::beam_view(const Vocabulary& vocab, const Palette& pal) {
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.accent), tr("Beam search, beam 2: best “%s”  score %s"),
                     words_of(vocab, beam_->best.words).c_str(), format_significant(beam_->best.score, 4).c_str());
  hint(
      tr("Each step extends every kept hypothesis by every word; the 2 best (✓) are kept. The 6 best extensions "
         "of the step are shown."));
  const int steps = static_cast<int>(beam_->steps.size());
  if (steps == 0) return;
  beam_step = std::clamp(beam_step, 1, steps);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Step"));
  ImGui::SameLine();
  if (ImGui::ArrowButton("##previous", ImGuiDir_Left)) beam_step = std::max(1, beam_step - 1);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 10);
  ImGui::SliderInt("##beam_step", &beam_step, 1, steps, "%d");
  ImGui::SameLine();
  if (ImGui::ArrowButton("##next", ImGuiDir_Right)) beam_step = std::min(steps, beam_step + 1);
  ImGui::SameLine();
  ImGui::Text(tr("of %d"), steps);
  ImGui::PushID(beam_step - 1);
  beam_step_table(beam_->steps[static_cast<std::size_t>(beam_step - 1)], vocab, pal);
  ImGui::PopID();
}

void OutputPanel::decoding_view(const AppState& app) {
  const Palette& pal = palette(app.theme);
  const Vocabulary& vocab = app.session.preset().tgt_vocab;
  section_title(tr("Decoding without the target"), tr("— the model is fed its own words, one at a time"), pal);
  // Small models decode once per run without asking (a few milliseconds); big ones on the button.
  const Config& config = app.session.config();
  const bool small =
      config.d_model <= 64 && config.encoder_layers + config.decoder_layers <= 4 && config.tgt_vocab <= 64;
  if (small && decoded_generation_ != app.generation) decode(app);
  const bool stale = !greedy_ || !beam_ || decoded_generation_ != app.generation || decoded_temperature_ != temperature;
  if (ImGui::Button(stale ? tr("Decode: greedy and beam search (beam 2)") : tr("Decode again"))) decode(app);
  if (!decode_error_.empty())
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "%s", decode_error_.c_str());
  if (stale) {
    if (!greedy_) return;
    ImGui::SameLine();
    ImGui::TextDisabled(tr("(the result below is from before the last change)"));
  }
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.accent), tr("Greedy: “%s”  score Σ ln P = %s"),
                     words_of(vocab, greedy_->words).c_str(), format_significant(greedy_->score, 4).c_str());
  greedy_table(*greedy_, vocab);
  beam_view(vocab, pal);
}

}  // namespace attnviz::views

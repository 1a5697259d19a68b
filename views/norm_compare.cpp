#include "views/norm_compare.h"

#include "model/error.h"
#include "model/translatable.h"
#include "views/heatmap.h"
#include "views/i18n.h"
#include "views/plot.h"
#include "views/theme.h"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <vector>

namespace attnviz::views {
namespace {

constexpr int batch_size = 4;
constexpr int running_limit = 64;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, std::abs(v) < 1e-3 && v != 0 ? "%.1e" : "%.3g", v);
  return buf;
}

// The width from the cursor to the window's visible right edge (the matrices scroll sideways, so
// the content region may reach further).
float visible_width() {
  return std::max(ImGui::CalcTextSize("0").x * 10, ImGui::GetCurrentWindow()->InnerClipRect.Max.x -
                                                       ImGui::GetStyle().WindowPadding.x -
                                                       ImGui::GetCursorScreenPos().x);
}

void paragraph(const std::string& text) { wrapped_words(text, visible_width()); }

// One heatmap of the comparison: rows named, <pad> rows outlined, columns the features.  `name`
// is the English msgid (the figure's file name); the caption is its translation.
struct Shown {
  const char* name = "";
  const Mat* values = nullptr;
  std::vector<std::string> rows;
  std::vector<Mark> marks;
};

// `width` 0: as wide as its numbers want, within the row.
void show(HeatmapRow& row, Shown& s, std::uint64_t key, int id, float width, const AppState& app,
          Selection& selection) {
  HeatmapSpec spec;
  spec.name = s.name;
  spec.caption = tr(s.name);
  spec.values = s.values;
  spec.scale = ColourScale::diverging;
  spec.texture_key = mix_key(app.generation, 0x4E0C, key, static_cast<std::uint64_t>(id));
  spec.row_labels = s.rows;
  spec.col_features = true;
  spec.marks = s.marks;
  if (width <= 0) {
    const float digit = ImGui::CalcTextSize("0").x;
    const float ideal = digit * 11 + static_cast<float>(s.values->cols()) * digit * 6.5f;
    const float caption_w = ImGui::CalcTextSize(tr(s.name)).x;
    width = std::min(row.full, std::max(ideal, std::min(caption_w, row.full)));
  }
  row.draw(spec, width, id, HeatmapLook{app.theme, app.textures}, selection);
}

// The width that puts as many of `shown` side by side as `row` holds, each whole: its caption, its
// row labels (as the heatmap sizes them: up to 10 digits and one more), cells at least 8 px wide
// (colours to compare; hovering gives a value) and its colour bar (at least 18 digits).  All of
// them abreast, else fewer, at least one a row.
float abreast(const HeatmapRow& row, const std::vector<Shown>& shown) {
  const float digit = ImGui::CalcTextSize("0").x;
  float least = 0;
  for (const Shown& s : shown) {
    float labels = 0;
    for (const std::string& label : s.rows) labels = std::max(labels, ImGui::CalcTextSize(label.c_str()).x);
    const float grid = std::max(static_cast<float>(s.values->cols()) * 8, digit * 18);
    least = std::max({least, ImGui::CalcTextSize(tr(s.name)).x, std::min(labels, digit * 10) + digit + grid + 2});
  }
  for (int n = static_cast<int>(shown.size()); n > 1; --n) {
    // A hair less than the share, so rounding never wraps.
    const float width = (row.full - row.gap * static_cast<float>(n - 1)) / static_cast<float>(n) - 1;
    if (width >= least) return width;
  }
  return row.full;
}

const Vocabulary& vocabulary(const AppState& app, bool source) {
  return source ? app.session.preset().src_vocab : app.session.preset().tgt_vocab;
}

// "2·prince" for sentence b's token; the <pad> rows outlined.
void label_rows(const AppState& app, const analysis::NormBatch& batch, bool source, int rows, Shown& s,
                const Palette& pal) {
  for (int r = 0; r < rows; ++r) {
    const int token = batch.tokens[static_cast<std::size_t>(r)];
    s.rows.push_back(std::to_string(r / batch.length + 1) + "·" + vocabulary(app, source).word(token));
    if (batch.pad[static_cast<std::size_t>(r)]) s.marks.push_back({r, -1, pal.text_dim});
  }
}

// What every heatmap of one comparison shares.
struct Figures {
  const AppState& app;
  Selection& selection;
  const analysis::NormBatch& batch;  // names the rows
  bool source;
  std::uint64_t key;  // changes with each comparison computed
};

// The heatmaps of `shown`, as many abreast as the row holds each whole, their `rows` rows named
// after the batch's first rows, <pad> outlined; ImGui ids first_id, first_id + 1, ….
// A matrix to show, by its English name (N_(…), translated where it is drawn).
struct Named {
  const char* name;
  const Mat* values;
};

void show_abreast(const Figures& f, std::initializer_list<Named> matrices, int rows, int first_id) {
  std::vector<Shown> shown;
  for (const Named& m : matrices) shown.push_back(Shown{m.name, m.values, {}, {}});
  HeatmapRow row{visible_width(), ImGui::CalcTextSize("0").x * 3};
  for (Shown& s : shown) label_rows(f.app, f.batch, f.source, rows, s, palette(f.app.theme));
  const float width = abreast(row, shown);
  for (std::size_t i = 0; i < shown.size(); ++i)
    show(row, shown[i], f.key, first_id + static_cast<int>(i), width, f.app, f.selection);
}

// The sentences of a batch, one per line: "1: the prince saved the princess (this sentence)".
void list_sentences(const AppState& app, const analysis::NormBatch& batch, bool source) {
  for (int b = 0; b < batch.sentences; ++b) {
    std::string words;
    int pads = 0;
    for (int t = 0; t < batch.length; ++t) {
      const auto r = static_cast<std::size_t>(b * batch.length + t);
      if (batch.pad[r]) {
        ++pads;
        continue;
      }
      words += (words.empty() ? "" : " ") + vocabulary(app, source).word(batch.tokens[r]);
    }
    std::string line = b == 0 ? formatted(tr("%d: %s (this sentence)"), b + 1, words.c_str())
                              : formatted(tr("%d: %s"), b + 1, words.c_str());
    // TRANSLATORS: after a sentence, its padding: "1: the prince saved the princess + 2 <pad>".
    if (pads > 0) line += formatted(tr(" + %d <pad>"), pads);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    paragraph(line);
    ImGui::PopStyleColor();
  }
}

// Statistics as rows of a (k, d) matrix for a heatmap: μ and σ = √σ² of each.
Mat stats_rows(std::initializer_list<const analysis::FeatureStats*> stats) {
  Mat m(static_cast<Eigen::Index>(2 * stats.size()), stats.begin()[0]->mean.cols());
  Eigen::Index r = 0;
  for (const auto* s : stats) m.row(r++) = s->mean;
  for (const auto* s : stats) m.row(r++) = s->var.cwiseSqrt();
  return m;
}

// Largest |mean| and |variance − 1| of each row (LayerNorm) or each column over the real rows.
std::string row_check(const Mat& m) {
  double mean = 0, var = 0;
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    const double mu = m.row(r).mean();
    mean = std::max(mean, std::abs(mu));
    var = std::max(var, std::abs((m.row(r).array() - mu).square().mean() - 1));
  }
  return formatted(tr("largest |row mean| %s, largest |row variance − 1| %s"), num(mean).c_str(), num(var).c_str());
}

std::string column_check(const Mat& m, const analysis::NormBatch& batch) {
  const analysis::FeatureStats s = analysis::feature_stats(m, analysis::real_rows(batch));
  return formatted(tr("largest |column mean| %s, largest |column variance − 1| %s"),
                   num(s.mean.cwiseAbs().maxCoeff()).c_str(), num((s.var.array() - 1).abs().maxCoeff()).c_str());
}

// A single heatmap on a row of its own, as wide as its numbers want.
void show_alone(const Figures& f, Shown s, int id) {
  HeatmapRow row{visible_width(), ImGui::CalcTextSize("0").x * 3};
  show(row, s, f.key, id, 0, f.app, f.selection);
}

// The batch, the two normalisations and X side by side, and how well each normalised.
void draw_batch(const Figures& f, const analysis::NormComparison& c) {
  const analysis::NormBatch& a = c.batch;
  const int d = static_cast<int>(a.x.cols());
  const int rows = static_cast<int>(a.x.rows()), pads = rows - a.real_rows();
  const std::string others = a.sentences > 2 ? "2–" + std::to_string(a.sentences) : "2";
  const char* batch_format =
      c.source
          ? tr("This step's input, normalised two ways (γ = 1, β = 0, ε = %s), for a batch of %d sentences from the "
               "lesson (1 = this one, %s = training sentences) padded to %d source tokens: %d rows × %d features.")
          : tr("This step's input, normalised two ways (γ = 1, β = 0, ε = %s), for a batch of %d sentences from the "
               "lesson (1 = this one, %s = training sentences) padded to %d target tokens: %d rows × %d features.");
  paragraph(formatted(batch_format, num(c.eps).c_str(), a.sentences, others.c_str(), a.length, rows, d) + " " +
            (pads > 0 ? formatted(trn("%d of them is <pad> (outlined).", "%d of them are <pad> (outlined).",
                                      static_cast<unsigned long>(pads)),
                                  pads)
                      : std::string(tr("None is <pad>: the sentences are as long."))));
  list_sentences(f.app, a, c.source);

  // The normalisations first, so that two abreast put them side by side and X under them.
  show_abreast(f,
               {{N_("LayerNorm (each row)"), &c.layer_norm},
                {N_("BatchNorm (each column)"), &c.batch_norm},
                {N_("X, the step's input"), &a.x}},
               rows, 0);
  ImGui::TextDisabled(
      "%s", pads > 0 ? tr("Hover a cell for its value; outlined rows are <pad>.") : tr("Hover a cell for its value."));
  const std::string layer_check = row_check(c.layer_norm), batch_check = column_check(c.batch_norm, a);
  paragraph(formatted(pads > 0
                          ? tr("LayerNorm: %s (every row, <pad> rows too: each token is normalised with its own %d "
                               "features).")
                          : tr("LayerNorm: %s (every row: each token is normalised with its own %d features)."),
                      layer_check.c_str(), d) +
            " " +
            formatted(pads > 0 ? tr("BatchNorm: %s (each feature is normalised with the batch's %d real tokens; <pad> "
                                    "rows are left out of μ and σ²).")
                               : tr("BatchNorm: %s (each feature is normalised with the batch's %d tokens)."),
                      batch_check.c_str(), a.real_rows()));
}

// This sentence's rows, its own <pad> included.
int own_rows(const analysis::NormComparison& c) { return static_cast<int>(c.alone.rows()); }

// 1. A batch of one sentence: every variance 0 per position; its own statistics differ.
void draw_one_sentence(const Figures& f, const analysis::NormComparison& c) {
  const analysis::NormBatch& a = c.batch;
  const int d = static_cast<int>(a.x.cols()), t_own = own_rows(c);
  const auto own_real = static_cast<int>(std::count(a.pad.begin(), a.pad.begin() + t_own, 0));
  paragraph(formatted(tr("A batch of one, statistics per position (one per time step, as BatchNorm runs in a recurrent "
                         "model): each of the %d means is one value, so every variance is 0 (largest: %s) and every "
                         "output (x − μ)/√(σ² + ε) is 0 (largest |output|: %s): the sentence is erased."),
                      t_own * d, num(c.one_position_var_max).c_str(),
                      num(c.one_position_output.cwiseAbs().maxCoeff()).c_str()));
  paragraph(formatted(tr("Statistics over this sentence's own %d tokens only: each feature's μ and σ² come from %d "
                         "numbers, and its normalised values differ from those in the batch above by up to %s."),
                      own_real, own_real, num(c.alone_vs_batch).c_str()));
  const Mat in_batch = a.sentence(c.batch_norm, 0).topRows(t_own);
  show_abreast(f, {{N_("BatchNorm, alone"), &c.alone}, {N_("BatchNorm, in the batch"), &in_batch}}, t_own, 10);
}

// 2. Padding taken into the statistics moves the real tokens' outputs.
void draw_padding(const Figures& f, const analysis::NormComparison& c) {
  const analysis::NormBatch& p = c.padded;
  const int p_rows = static_cast<int>(p.x.rows()), p_pads = p_rows - p.real_rows();
  const std::string padded =
      p.length == c.batch.length
          ? formatted(tr("The batch above: %d of its %d rows are <pad>."), p_pads, p_rows)
          : formatted(tr("The batch above padded to max_len = %d (as a batch of fixed shape is): %d of its %d rows are "
                         "<pad>."),
                      p.length, p_pads, p_rows);
  paragraph(padded + " " +
            formatted(tr("A BatchNorm that does not mask them takes them into every feature's mean and variance, and "
                         "the real tokens' outputs move by up to %s. LayerNorm never mixes rows, so padding cannot "
                         "touch a real token."),
                      num(c.pad_output_change).c_str()));
  const Mat pad_stats = stats_rows({&c.without_pad, &c.with_pad});
  const Mat shift = (c.with_pad.mean - c.without_pad.mean);
  show_alone(f,
             {N_("Per feature, without and with <pad>"),
              &pad_stats,
              {tr("μ real"), tr("μ all rows"), tr("σ real"), tr("σ all rows")},
              {}},
             20);
  const auto variance_ratio = c.with_pad.var.array() / c.without_pad.var.array();  // σ ratio = √(this)
  paragraph(formatted(tr("Largest shift of a feature's mean: %s; σ with the padding ÷ σ without: %s to %s."),
                      num(shift.cwiseAbs().maxCoeff()).c_str(), num(std::sqrt(variance_ratio.minCoeff())).c_str(),
                      num(std::sqrt(variance_ratio.maxCoeff())).c_str()));
}

// 3. At inference: running statistics are not the sentence's own, and a batch changes the output.
void draw_inference(const Figures& f, const analysis::NormComparison& c) {
  const analysis::FeatureStats& io = c.inference_output_stats;
  paragraph(
      formatted(tr("One sentence at a time, BatchNorm uses running statistics from training (here: over the tokens "
                   "of %d training sentences, what the running averages approach at these weights). This "
                   "sentence's own statistics differ, so its normalised features have means from %s to %s and "
                   "variances from %s to %s, not 0 and 1."),
                c.running_sentences, num(io.mean.minCoeff()).c_str(), num(io.mean.maxCoeff()).c_str(),
                num(io.var.minCoeff()).c_str(), num(io.var.maxCoeff()).c_str()));
  const Mat inference_stats = stats_rows({&c.running, &c.alone_stats});
  show_alone(f,
             {N_("Per feature, training and this sentence"),
              &inference_stats,
              {tr("μ training"), tr("μ this"), tr("σ training"), tr("σ this")},
              {}},
             30);
  paragraph(
      tr("In a batch, the output for the same sentence depends on what else is in it. Batch B holds this sentence "
         "with other training sentences:"));
  list_sentences(f.app, c.other, c.source);
  paragraph(
      formatted(tr("BatchNorm of this sentence in the batch above − in batch B: up to %s apart. LayerNorm: %s apart "
                   "(each token uses only its own features)."),
                num(c.batch_dependence).c_str(), num(c.layer_norm_dependence).c_str()));
  show_abreast(
      f, {{N_("BatchNorm, in batch B"), &c.batch_norm_in_other}, {N_("In the batch − in B"), &c.batch_difference}},
      own_rows(c), 40);
}

}  // namespace

void NormCompareView::compute(const AppState& app, const std::string& label) {
  label_ = label;
  generation_ = app.generation;
  ++computed_;
  result_.reset();
  error_.clear();
  try {
    const std::vector<Example> pool =
        app.lesson ? analysis::training_examples(*app.lesson, app.session.config(), running_limit + 2 * batch_size)
                   : std::vector<Example>{};
    if (pool.empty()) {
      error_ =
          tr("BatchNorm needs a batch: this session has no lesson sentences to make one from (open a lesson with a "
             "task, such as word-order.json).");
      return;
    }
    result_ =
        analysis::compare_norms(app.session.model(), app.session.example(), pool, label, batch_size, running_limit);
  } catch (const InputError& e) {
    error_ = error_in_words(e);
  } catch (const std::exception& e) {
    error_ = e.what();
  }
}

bool NormCompareView::applies(const AppState& app, int step_index) {
  const Step& step = app.session.trace().step(step_index);
  return step.op == OpKind::layer_norm && step.phase == Phase::forward && !app.session.fixed_attention();
}

void NormCompareView::jump_button() {
  if (ImGui::SmallButton(labelled("LayerNorm or BatchNorm? ↓").c_str())) scroll_request_ = true;
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", tr("Down to this step's input normalised both ways, and where BatchNorm fails"));
}

bool NormCompareView::ready(const AppState& app, const Step& step) {
  const Config& config = app.session.config();
  const bool small = config.d_model <= 64 && config.encoder_layers + config.decoder_layers <= 6;
  const bool stale = !(result_ || !error_.empty()) || generation_ != app.generation || label_ != step.label;
  if (stale) {
    if (small)
      compute(app, step.label);
    else if (ImGui::Button(labelled("Compare LayerNorm and BatchNorm").c_str()))
      compute(app, step.label);
    else
      return false;
  }
  if (error_.empty()) return true;
  ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + visible_width());
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette(app.theme).warning), "%s", error_.c_str());
  ImGui::PopTextWrapPos();
  return false;
}

void NormCompareView::draw(const AppState& app, Selection& selection, int step_index) {
  if (!applies(app, step_index)) {
    scroll_request_ = false;
    return;
  }
  const Palette& pal = palette(app.theme);
  ImGui::Spacing();
  ImGui::Separator();
  if (scroll_request_) {
    ImGui::SetScrollHereY(0);
    scroll_request_ = false;
  }
  section_title(tr("LayerNorm or BatchNorm?"), nullptr, pal);
  if (!ready(app, app.session.trace().step(step_index))) return;
  const analysis::NormComparison& c = *result_;
  const Figures figures{app, selection, c.batch, c.source, computed_};
  draw_batch(figures, c);

  section_title(tr("What goes wrong for BatchNorm"), nullptr, pal);
  const ImVec4 heading = ImGui::ColorConvertU32ToFloat4(pal.accent);
  ImGui::TextColored(heading, "%s", tr("1. One sentence"));
  draw_one_sentence(figures, c);
  ImGui::TextColored(heading, "%s", tr("2. Padding"));
  draw_padding(figures, c);
  ImGui::TextColored(heading, "%s", tr("3. At inference"));
  draw_inference(figures, c);
}

}  // namespace attnviz::views

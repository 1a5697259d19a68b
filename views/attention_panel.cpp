#include "views/attention_panel.h"

#include "model/error.h"
#include "views/figure.h"
#include "views/file_actions.h"
#include "views/head_focus.h"
#include "views/heatmap.h"
#include "views/i18n.h"
#include "views/matrix_export.h"
#include "views/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace attnviz::views {

using analysis::AttentionKind;
using analysis::HeadRef;

namespace {

// The radio button's label.
const char* shown_name(AttentionPanel::Shown shown) {
  switch (shown) {
    case AttentionPanel::Shown::raw: return "S = QKᵀ";
    case AttentionPanel::Shown::scaled: return "S/√d_k";
    case AttentionPanel::Shown::masked: return tr("masked");
    case AttentionPanel::Shown::weights: return "A = softmax";
  }
  return "";
}

std::string vector_text(const Mat& v) {
  std::string s = "[";
  for (Eigen::Index c = 0; c < v.cols(); ++c) s += (c ? ", " : "") + format_value(v(0, c), 3);
  return s + "]";
}

// The heatmap's caption.
const char* shown_caption(AttentionPanel::Shown shown) {
  switch (shown) {
    case AttentionPanel::Shown::raw: return tr("Raw scores S = Q_h K_hᵀ");
    case AttentionPanel::Shown::scaled: return tr("Scaled scores S/√d_k");
    case AttentionPanel::Shown::masked: return tr("Masked scores (−∞ where masked)");
    case AttentionPanel::Shown::weights: return tr("Weights A = softmax(masked scores)");
  }
  return "";
}

}  // namespace

namespace {

TensorId shown_tensor(AttentionPanel::Shown shown, const analysis::HeadTensors& t) {
  switch (shown) {
    case AttentionPanel::Shown::raw: return t.scores;
    case AttentionPanel::Shown::scaled: return *t.scaled;
    case AttentionPanel::Shown::masked: return t.masked;
    case AttentionPanel::Shown::weights: return t.weights;
  }
  return t.weights;
}

// "∂L/∂S", "∂L/∂A": the gradient of the shown matrix.
const char* gradient_symbol(AttentionPanel::Shown shown) {
  switch (shown) {
    case AttentionPanel::Shown::raw: return "∂L/∂S";
    case AttentionPanel::Shown::scaled: return "∂L/∂(S/√d_k)";
    case AttentionPanel::Shown::masked: return tr("∂L/∂(masked S)");
    case AttentionPanel::Shown::weights: return "∂L/∂A";
  }
  return "";
}

// One cell's numbers: the query and key words, q_i, k_j, q_i·k_j, ÷√d_k, the mask, the weight
// and, once backward ran, ∂L/∂A[i,j] and ∂L/∂S[i,j].
void cell_table(const Trace& trace, const Config& config, const analysis::HeadTensors& t, const HeadAxes& axes,
                const ElementRef& cell) {
  const analysis::CellDetail d = analysis::cell_detail(trace, t, cell.row, cell.col);
  const std::string& qw = (*axes.queries)[static_cast<std::size_t>(d.query)];
  const std::string& kw = (*axes.keys)[static_cast<std::size_t>(d.key)];
  // No wrapping inside the table: its fixed-fit columns take their width from their text, and
  // text wrapped at a column's width would keep the column one or two letters wide.
  ImGui::PushTextWrapPos(-1.0f);
  if (ImGui::BeginTable("cell", 2,
                        ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX | ImGuiTableFlags_RowBg)) {
    const auto row = [](const char* name, const std::string& text) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(text.c_str());
    };
    row(tr("query i, key j"), std::to_string(d.query) + " “" + qw + "”, " + std::to_string(d.key) + " “" + kw + "”");
    row("q_i", vector_text(d.q));
    row("k_j", vector_text(d.k));
    row("q_i·k_j", format_significant(d.dot, 5));
    row(config.scale_attention ? "÷√d_k" : tr("÷√d_k (off)"),
        config.scale_attention ? format_significant(d.dot, 5) + " / √" + std::to_string(config.d_k()) + " = " +
                                     format_significant(d.scaled, 5)
                               : format_significant(d.scaled, 5));
    row(tr("masked?"), d.masked ? tr("yes: score −∞, weight 0") : tr("no"));
    row(tr("weight A[i,j]"), format_significant(d.weight, 5));
    if (d.grad_weight) row("∂L/∂A[i,j]", format_significant(*d.grad_weight, 4));
    if (d.grad_score) row("∂L/∂S[i,j]", format_significant(*d.grad_score, 4));
    ImGui::EndTable();
  }
  ImGui::PopTextWrapPos();
}

}  // namespace

// d_k and the scaling, the radio buttons of the shown matrix, and in the backward phase whether
// its gradient is shown beside it.
void AttentionPanel::choices(const Config& config, const analysis::HeadTensors& t, const Mat& weights, bool backward,
                             const Palette& pal) {
  ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.text_dim),
                     tr("d_k = %d   1/√d_k scaling %s   %d queries × %d keys"), config.d_k(),
                     config.scale_attention ? tr("on") : tr("off"), static_cast<int>(weights.rows()),
                     static_cast<int>(weights.cols()));
  for (Shown s : {Shown::raw, Shown::scaled, Shown::masked, Shown::weights}) {
    const bool missing = s == Shown::scaled && !t.scaled;
    if (s != Shown::raw) ImGui::SameLine();
    if (missing) ImGui::BeginDisabled();
    if (ImGui::RadioButton(shown_name(s), shown == s)) shown = s;
    if (missing) ImGui::EndDisabled();
  }
  if (shown == Shown::scaled && !t.scaled) shown = Shown::raw;
  if (!backward) return;
  same_line_if_fits(ImGui::GetFrameHeight() + ImGui::CalcTextSize(tr("∂L/∂ beside")).x + ImGui::CalcTextSize(" ").x);
  ImGui::Checkbox(tr("∂L/∂ beside"), &show_gradient);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("Backward phase: the gradient of the shown matrix, beside it"));
}

// The shown matrix as a heatmap, `full` pixels at most, and in the backward phase its gradient
// beside it (when each keeps its labels and a colour bar of 18 digits) or under it.
AttentionPanel::Drawn AttentionPanel::matrices(const AppState& app, Selection& selection,
                                               const analysis::HeadTensors& t, const HeadAxes& axes, bool backward,
                                               float full) {
  const Trace& trace = app.session.trace();
  const HeadRef& head = selection.head;
  const TensorId id = shown_tensor(shown, t);
  const Mat& value = trace.value(id);
  const Mat& grad = trace.grad(id);
  Drawn drawn{producer_step(trace, id),
              backward && show_gradient && grad.rows() == value.rows() && grad.cols() == value.cols()};
  const float digit = ImGui::CalcTextSize("0").x;
  const float ideal = digit * 12 + static_cast<float>(value.cols()) * digit * 7.5f;
  float label_w = 0;
  for (const std::string& w : *axes.queries) label_w = std::max(label_w, ImGui::CalcTextSize(w.c_str()).x);
  const float least = std::min(label_w, digit * 10) + digit * 20;
  const bool beside = drawn.gradient && (full - digit * 3) / 2 >= least;
  HeatmapSpec spec;
  const auto caption = [&] {
    return formatted(tr("%s: %d %s × %d keys"), shown_caption(shown), static_cast<int>(value.rows()),
                     axes.query_side == TokenSide::source ? tr("source queries") : tr("target queries"),
                     static_cast<int>(value.cols()));
  };
  spec.caption = caption();
  spec.name = in_english(caption);
  spec.values = &value;
  spec.scale = shown == Shown::weights ? ColourScale::sequential : ColourScale::diverging;
  spec.texture_key =
      mix_key(app.generation, static_cast<std::uint64_t>(head.attention), static_cast<std::uint64_t>(head.layer),
              static_cast<std::uint64_t>(head.head), static_cast<std::uint64_t>(shown));
  spec.element = ElementRef{drawn.producer, Slot::output, 0, -1, -1};
  spec.row_labels = *axes.queries;
  spec.col_labels = *axes.keys;
  spec.row_tokens = axes.query_side;
  spec.col_tokens = axes.key_side;
  spec.max_width = std::min(ideal, beside ? (full - digit * 3) / 2 : full);
  ImGui::BeginGroup();
  draw_heatmap(spec, HeatmapLook{app.theme, app.textures}, selection);
  ImGui::EndGroup();
  if (!drawn.gradient) return drawn;
  if (beside) ImGui::SameLine(0, digit * 3);
  HeatmapSpec g = spec;
  const auto gradient_caption = [&] {
    return formatted(tr("%s: how the loss changes with each cell"), gradient_symbol(shown));
  };
  g.caption = gradient_caption();
  g.name = in_english(gradient_caption);
  g.values = &grad;
  g.scale = ColourScale::diverging;
  g.texture_key = mix_key(spec.texture_key, 0x6D);
  g.element = ElementRef{trace.step(drawn.producer).twin, Slot::upstream, 0, -1, -1};
  ImGui::BeginGroup();
  draw_heatmap(g, HeatmapLook{app.theme, app.textures}, selection);
  ImGui::EndGroup();
  return drawn;
}

// The lines view with its title, and the choice of every head of the layer at once.
void AttentionPanel::lines_section(const AppState& app, Selection& selection, const Palette& pal) {
  ImGui::BeginGroup();
  section_title(tr("Lines view"), tr("— query words left, key words right; hover a word to see only its lines"), pal);
  ImGui::Checkbox(tr("every head of this layer (one colour each)"), &lines_all_heads);
  if (lines_all_heads)
    for (int h = 0; h < app.session.config().heads; ++h) {
      same_line_if_fits(ImGui::CalcTextSize(formatted(tr("■ head %d"), 10).c_str()).x);
      ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(head_colour(h)), tr("■ head %d"), h);
    }
  figure(
      "Attention lines of " + in_english([&] { return head_title(selection.head); }),
      [&](float) { lines_view(app, selection, selection.head); }, {},
      formatted(tr("Attention lines of %s"), head_title(selection.head).c_str()));
  ImGui::EndGroup();
}

void AttentionPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  if (recurrent_model_note(app)) return;
  head_bar(app, selection, commands);
  const Trace& trace = app.session.trace();
  const Palette& pal = palette(app.theme);
  const bool backward = trace.step(selection.step).phase == Phase::backward && trace.has_backward();
  const analysis::HeadTensors t = analysis::head_tensors(trace, selection.head);
  const HeadAxes axes = head_axes(app, selection.head.attention);
  choices(app.session.config(), t, trace.value(t.weights), backward, pal);
  const float full = ImGui::GetContentRegionAvail().x;
  const Drawn drawn = matrices(app, selection, t, axes, backward, full);
  // One cell: the hovered one, else the clicked one, of the shown matrix or its gradient.
  const int backward_producer = trace.step(drawn.producer).twin;
  const auto mine = [&](const ElementRef& e) {
    return e.valid() && (e.step == drawn.producer || (drawn.gradient && e.step == backward_producer));
  };
  const ElementRef* cell = mine(selection.hover.element) ? &selection.hover.element
                           : mine(selection.element)     ? &selection.element
                                                         : nullptr;
  const Mat& value = trace.value(shown_tensor(shown, t));
  // The cell's numbers and the lines view side by side when the panel is wide.
  const bool side_by_side = full > ImGui::GetFontSize() * 55;
  ImGui::BeginGroup();
  ImGui::PushTextWrapPos(side_by_side ? ImGui::GetCursorPosX() + full * 0.5f : 0.0f);
  section_title(tr("One cell"), cell ? nullptr : tr("— hover or click a cell above"), pal);
  if (cell && cell->row < value.rows() && cell->col < value.cols())
    cell_table(trace, app.session.config(), t, axes, *cell);
  ImGui::PopTextWrapPos();
  ImGui::EndGroup();
  if (side_by_side) ImGui::SameLine(full * 0.5f + ImGui::GetFontSize());
  lines_section(app, selection, pal);
  section_title(tr("Why divide by √d_k?"),
                tr("— the same head and sentence re-run with the scaling off, on initial and on current weights"), pal);
  scaling_view(app, selection.head);
}

namespace {

// The lines view's geometry: query words right-aligned to left_x, key words from right_x, a row
// `row_h` high per word.
struct LinesFrame {
  ImVec2 origin;
  float left_x, right_x, row_h, font;
  ImVec2 query(int i) const { return ImVec2(left_x + font * 0.5f, origin.y + row_h * (static_cast<float>(i) + 0.5f)); }
  ImVec2 key(int j) const { return ImVec2(right_x - font * 0.5f, origin.y + row_h * (static_cast<float>(j) + 0.5f)); }
};

// The word the lines are for: under the mouse here (a click chooses it), else hovered in another
// panel, else the chosen one.  {query, key}, −1 where none.
std::pair<int, int> focused_words(const LinesFrame& f, const HeadAxes& axes, bool hovered, Selection& selection) {
  const int n_q = static_cast<int>(axes.queries->size()), n_k = static_cast<int>(axes.keys->size());
  if (!hovered) {
    const TokenRef t = selection.hover.token.valid() ? selection.hover.token : selection.token;
    if (t.valid() && t.side == axes.query_side && t.index < n_q) return {t.index, -1};
    if (t.valid() && t.side == axes.key_side && t.index < n_k) return {-1, t.index};
    return {-1, -1};
  }
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  const int r = static_cast<int>((mouse.y - f.origin.y) / f.row_h);
  const bool on_query = mouse.x < f.left_x + f.font / 2 && r < n_q,
             on_key = !on_query && mouse.x > f.right_x - f.font / 2 && r < n_k;
  if (!on_query && !on_key) return {-1, -1};
  const TokenRef token{on_query ? axes.query_side : axes.key_side, r};
  selection.hover.token = token;
  if (ImGui::IsItemClicked()) selection.token = token;
  return on_query ? std::pair{r, -1} : std::pair{-1, r};
}

// The focused word's weights in a tooltip: its row of A (a query) or its column (a key).
void focus_tooltip(const Mat& A, const HeadAxes& axes, int focus_q, int focus_k) {
  const int n_q = static_cast<int>(axes.queries->size()), n_k = static_cast<int>(axes.keys->size());
  ImGui::BeginTooltip();
  if (focus_q >= 0)
    for (int j = 0; j < n_k && j < A.cols(); ++j)
      ImGui::Text("%s → %s  %.3f", (*axes.queries)[static_cast<std::size_t>(focus_q)].c_str(),
                  (*axes.keys)[static_cast<std::size_t>(j)].c_str(), A(focus_q, j));
  else
    for (int i = 0; i < n_q && i < A.rows(); ++i)
      ImGui::Text("%s → %s  %.3f", (*axes.queries)[static_cast<std::size_t>(i)].c_str(),
                  (*axes.keys)[static_cast<std::size_t>(focus_k)].c_str(), A(i, focus_k));
  ImGui::EndTooltip();
}

}  // namespace

// Queries left, keys right, a line from query i to key j as opaque as A[i,j] in the head's colour
// (weights below 1 %, or 5 % with every head, left out); only the focused word's lines.
void AttentionPanel::lines_view(const AppState& app, Selection& selection, const HeadRef& head) {
  const Trace& trace = app.session.trace();
  const Palette& pal = palette(app.theme);
  const HeadAxes axes = head_axes(app, head.attention);
  const int n_q = static_cast<int>(axes.queries->size()), n_k = static_cast<int>(axes.keys->size());
  const float font = ImGui::GetFontSize();
  float word_w = 0;
  for (const auto* words : {axes.queries, axes.keys})
    for (const std::string& w : *words) word_w = std::max(word_w, ImGui::CalcTextSize(w.c_str()).x);
  const float span = std::clamp(ImGui::GetContentRegionAvail().x - 2 * word_w - font * 2, font * 6, font * 16);
  LinesFrame f{ImGui::GetCursorScreenPos(), 0, 0, ImGui::GetTextLineHeight() * 1.35f, font};
  f.left_x = f.origin.x + word_w;
  f.right_x = f.left_x + font + span + font;
  ImGui::InvisibleButton("lines",
                         ImVec2(f.right_x + word_w - f.origin.x, f.row_h * static_cast<float>(std::max(n_q, n_k))));
  const bool hovered = ImGui::IsItemHovered();
  const auto [focus_q, focus_k] = focused_words(f, axes, hovered, selection);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (int h = lines_all_heads ? 0 : head.head; h <= (lines_all_heads ? app.session.config().heads - 1 : head.head);
       ++h) {
    const Mat& A = trace.value(analysis::head_tensors(trace, {head.attention, head.layer, h}).weights);
    for (int i = 0; i < n_q && i < A.rows(); ++i)
      for (int j = 0; j < n_k && j < A.cols(); ++j) {
        const float w = static_cast<float>(A(i, j));
        if ((focus_q >= 0 && i != focus_q) || (focus_k >= 0 && j != focus_k) || w < (lines_all_heads ? 0.05f : 0.01f))
          continue;
        draw->AddLine(f.query(i), f.key(j), head_colour(h, static_cast<int>(std::lround(40 + 215 * w))),
                      1.0f + 3.0f * w);
      }
  }
  const auto word_colour = [&](TokenSide side, int i, bool focused) {
    if (focused || selection.hover.token == TokenRef{side, i}) return pal.hover_outline;
    if (selection.token == TokenRef{side, i}) return pal.accent;
    return pal.text;
  };
  for (int i = 0; i < n_q; ++i) {
    const std::string& w = (*axes.queries)[static_cast<std::size_t>(i)];
    draw->AddText(ImVec2(f.left_x - ImGui::CalcTextSize(w.c_str()).x, f.origin.y + f.row_h * static_cast<float>(i)),
                  word_colour(axes.query_side, i, i == focus_q), w.c_str());
  }
  for (int j = 0; j < n_k; ++j)
    draw->AddText(ImVec2(f.right_x, f.origin.y + f.row_h * static_cast<float>(j)),
                  word_colour(axes.key_side, j, j == focus_k), (*axes.keys)[static_cast<std::size_t>(j)].c_str());
  if (hovered && (focus_q >= 0 || focus_k >= 0))
    focus_tooltip(trace.value(analysis::head_tensors(trace, head).weights), axes, focus_q, focus_k);
}

namespace {

constexpr int paper_d_k = 64;

// What one comparison measured, said as measured: the claim seen or not, with the numbers.
std::string outcome_text(const analysis::ScalingComparison& c) {
  const analysis::ScalingOutcome o = analysis::scaling_outcome(c);
  const std::string numbers = formatted(tr("mean row entropy %s → %s nats, softmax Jacobian ‖∂a/∂s‖ %s → %s"),
                                        format_significant(c.scaled.entropy.mean(), 3).c_str(),
                                        format_significant(c.unscaled.entropy.mean(), 3).c_str(),
                                        format_significant(c.scaled.softmax_jacobian_norm, 3).c_str(),
                                        format_significant(c.unscaled.softmax_jacobian_norm, 3).c_str());
  if (o.claim_seen())
    return formatted(tr("Seen: without the scaling the weights sharpen and the softmax passes less gradient (%s)."),
                     numbers.c_str());
  return formatted(tr("Not seen on these weights (%s): the argument is about random q and k before training; "
                      "trained weights or a small d_k need not saturate."),
                   numbers.c_str());
}

void comparison_table(const char* id, const analysis::ScalingComparison& c, const HeadAxes& axes) {
  const analysis::ScalingRun& on = c.scaled;
  const analysis::ScalingRun& off = c.unscaled;
  if (!ImGui::BeginTable(id, 3,
                         ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_NoHostExtendX | ImGuiTableFlags_Borders))
    return;
  ImGui::TableSetupColumn("");
  ImGui::TableSetupColumn(tr("1/√d_k on"));
  ImGui::TableSetupColumn(tr("1/√d_k off"));
  ImGui::TableHeadersRow();
  auto row = [](const std::string& name, double a, double b) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(format_significant(a, 4).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(format_significant(b, 4).c_str());
  };
  row(tr("loss on this sentence pair"), on.loss, off.loss);
  for (Eigen::Index i = 0; i < on.entropy.rows() && i < off.entropy.rows(); ++i) {
    const std::string word = i < static_cast<Eigen::Index>(axes.queries->size())
                                 ? (*axes.queries)[static_cast<std::size_t>(i)]
                                 : std::to_string(i);
    row(formatted(tr("entropy of row %d “%s” (nats)"), static_cast<int>(i), word.c_str()), on.entropy(i, 0),
        off.entropy(i, 0));
  }
  row(tr("mean row entropy"), on.entropy.mean(), off.entropy.mean());
  row(tr("softmax Jacobian ‖diag(a) − a aᵀ‖, mean over rows"), on.softmax_jacobian_norm, off.softmax_jacobian_norm);
  row(tr("‖∂L/∂S‖ at the scores"), on.scores_grad_norm, off.scores_grad_norm);
  row(tr("‖∂L/∂S'‖ at the softmax input"), on.softmax_input_grad_norm, off.softmax_input_grad_norm);
  ImGui::EndTable();
}

}  // namespace

void AttentionPanel::scaling_view(const AppState& app, const HeadRef& head) {
  const Palette& pal = palette(app.theme);
  const bool stale = !scaling_ || !scaling_init_ || scaling_generation_ != app.generation ||
                     scaling_->head.attention != head.attention || scaling_->head.layer != head.layer ||
                     scaling_->head.head != head.head;
  // Small models run it for each head shown (four forward + backward passes); big ones on the button.
  const Config& config = app.session.config();
  const bool small =
      config.d_model <= 64 && config.encoder_layers + config.decoder_layers <= 4 && config.tgt_vocab <= 64;
  if (ImGui::Button(stale ? tr("Run with 1/√d_k on and off") : tr("Run again")) ||
      (small && stale && scaling_error_.empty())) {
    try {
      scaling_init_ = analysis::scaling_experiment_at_initialisation(config, app.session.example(), app.session.seed(),
                                                                     head, paper_d_k);
      scaling_ = analysis::scaling_experiment(app.session.model(), app.session.example(), head);
      scaling_generation_ = app.generation;
      scaling_error_.clear();
    } catch (const std::exception& e) {
      scaling_.reset();
      scaling_init_.reset();
      scaling_error_ = e.what();
    }
  }
  if (!scaling_error_.empty())
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), "%s", scaling_error_.c_str());
  if (stale) {
    ImGui::SameLine();
    ImGui::TextDisabled(tr("(for %s)"), head_title(head).c_str());
    return;
  }
  const HeadAxes axes = head_axes(app, head.attention);
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(
      tr("The paper's argument: at the start of training the components of q and k are random with "
         "variance 1, so q·k has variance d_k. Without 1/√d_k the scores are √d_k times larger, the "
         "softmax saturates (a row's entropy falls: one key takes almost all the weight) and the "
         "gradient through it vanishes. Compared below: the same head with the scaling on and off, "
         "on this sentence pair."));
  ImGui::Separator();
  ImGui::Text(tr("Where the argument is made: seed %llu's initial weights, d_k = %d (d_model = %d)."),
              static_cast<unsigned long long>(app.session.seed()), paper_d_k, config.heads * paper_d_k);
  ImGui::TextUnformatted(outcome_text(*scaling_init_).c_str());
  ImGui::PopTextWrapPos();
  comparison_table("scaling_init", *scaling_init_, axes);  // fixed-fit columns: no wrapping inside
  ImGui::PushTextWrapPos(0);
  ImGui::Separator();
  ImGui::Text(tr("This model: %s, d_k = %d."), weights_in_words(app.session).c_str(), config.d_k());
  ImGui::TextUnformatted(outcome_text(*scaling_).c_str());
  ImGui::PopTextWrapPos();
  comparison_table("scaling", *scaling_, axes);
}

}  // namespace attnviz::views

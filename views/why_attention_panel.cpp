#include "views/why_attention_panel.h"

#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/number_format.h"
#include "views/heatmap.h"
#include "views/i18n.h"
#include "views/plot.h"

#include <algorithm>
#include <cmath>

namespace attnviz::views {

namespace {

ImVec4 colour(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// Okabe–Ito, distinct for colour-blind viewers: Seq2Seq vermillion, Bahdanau blue, Transformer green.
ImU32 model_colour(const std::string& name) {
  if (name == "seq2seq") return IM_COL32(213, 94, 0, 255);
  if (name == "bahdanau") return IM_COL32(0, 114, 178, 255);
  return IM_COL32(0, 158, 115, 255);
}

std::string model_title(const std::string& name) {
  if (name == "seq2seq") return "Seq2Seq";
  if (name == "bahdanau") return tr("Seq2Seq + Bahdanau");
  return tr("Transformer");
}

// α (T_tgt, T_src) of a recurrent model with attention: the softmax of each decoder step, a row
// each; of a Transformer: the last decoder layer's encoder–decoder weights, heads averaged.
Mat cross_attention(const Trace& t, const Config& c) {
  const Sublayer attention = c.recurrent() ? Sublayer::additive_attn : Sublayer::cross_attn;
  std::vector<const Mat*> rows;
  int last_layer = -1;
  for (int s = 0; s < t.forward_count(); ++s) {
    const Step& step = t.step(s);
    if (step.op == OpKind::softmax && step.where.stack == Stack::decoder && step.where.sublayer == attention)
      last_layer = std::max(last_layer, step.where.layer);
  }
  Mat A;
  int heads = 0;
  for (int s = 0; s < t.forward_count(); ++s) {
    const Step& step = t.step(s);
    if (step.op != OpKind::softmax || step.where.stack != Stack::decoder || step.where.sublayer != attention) continue;
    const Mat& w = t.value(step.outputs.front());
    if (c.recurrent()) {
      rows.push_back(&w);
    } else if (step.where.layer == last_layer) {
      if (heads++ == 0)
        A = w;
      else
        A += w;
    }
  }
  if (c.recurrent()) {
    if (rows.empty()) return {};
    A.resize(static_cast<Eigen::Index>(rows.size()), rows.front()->cols());
    for (std::size_t i = 0; i < rows.size(); ++i) A.row(static_cast<Eigen::Index>(i)) = rows[i]->row(0);
    return A;
  }
  if (heads > 0) A /= heads;
  return A;
}

// ‖∂L/∂e_t‖ for every source position t read by the encoder.
std::vector<double> source_gradients(const Trace& t) {
  std::vector<double> norms;
  for (int s = 0; s < t.forward_count(); ++s) {
    const Step& step = t.step(s);
    if (step.op != OpKind::embedding || step.where.stack != Stack::encoder) continue;
    const Mat& g = t.grad(step.outputs.front());
    for (Eigen::Index r = 0; r < g.rows(); ++r) norms.push_back(g.row(r).norm());
  }
  return norms;
}

}  // namespace

void WhyAttentionPanel::load(const AppState& app) {
  // The lesson's file and title name it (a lesson opened from a preset has no file).
  const std::string key = app.lesson ? app.lesson_path + "\n" + app.lesson->title.en : std::string();
  if (key == loaded_path_) return;
  loaded_path_ = key;
  models_.clear();
  lengths_.clear();
  message_.clear();
  const Lesson& lesson = *app.lesson;
  if (lesson.compare.empty()) return;
  try {
    const std::vector<SentencePair> held = analysis::held_out_pairs(lesson);
    lengths_ = analysis::source_lengths(held);
    std::vector<Lesson> lessons{with_model(lesson, {lesson.config, lesson.training, lesson.weights})};
    for (const ComparedModel& m : lesson.compare) lessons.push_back(with_model(lesson, m));
    for (Lesson& l : lessons) {
      if (l.weights.empty())
        throw InputError(std::string("the ") + to_string(l.config.architecture) + " model has no weights file");
      Model m;
      m.model = std::make_unique<Transformer>(l.config, l.training.seed);
      io::read_lesson_weights(app.lesson_path, l, m.model->params());
      m.figures = analysis::measure(l, *m.model, held, lengths_, lesson.example);
      m.initial = std::make_unique<Transformer>(l.config, l.training.seed);
      m.lesson = std::move(l);
      models_.push_back(std::move(m));
    }
    // Seq2Seq, Bahdanau, Transformer: the order of the story.
    std::sort(models_.begin(), models_.end(), [](const Model& a, const Model& b) {
      return a.lesson.config.architecture == Architecture::seq2seq ||
             (a.lesson.config.architecture == Architecture::bahdanau &&
              b.lesson.config.architecture == Architecture::transformer);
    });
  } catch (const InputError& e) {
    models_.clear();
    message_ = e.what();
  }
  ran_generation_ = ~std::uint64_t{0};
}

void WhyAttentionPanel::run_pair(const AppState& app) {
  if (ran_generation_ == app.generation) return;
  ran_generation_ = app.generation;
  const Example& ex = app.session.example();
  for (Model& m : models_) {
    try {
      run_forward(*m.model, ex, m.trace);
      run_backward(m.trace);
      m.token_grads = source_gradients(m.trace);
      m.attention = cross_attention(m.trace, m.lesson.config);
      run_forward(*m.initial, ex, m.trace);
      run_backward(m.trace);
      m.initial_grads = source_gradients(m.trace);
    } catch (const InputError&) {  // a pair another model cannot read (too long): nothing to show
      m.token_grads.clear();
      m.initial_grads.clear();
      m.attention.resize(0, 0);
    }
  }
}

// y = accuracy (0 … 100 %) against x = source length, a line and dots per model, a legend.
void WhyAttentionPanel::accuracy_plot(const Palette& pal, float width, float height) const {
  const float em = ImGui::GetFontSize();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float left = origin.x + em * 3.2f, right = origin.x + width - em * 0.5f;
  const float top = origin.y + em * 0.5f, bottom = origin.y + height - em * 2.6f;
  const int lo = lengths_.front(), hi = lengths_.back();
  const auto x_of = [&](int n) {
    return left + (right - left) * static_cast<float>(n - lo) / static_cast<float>(std::max(1, hi - lo));
  };
  const auto y_of = [&](double a) { return bottom - (bottom - top) * static_cast<float>(a); };
  for (int p = 0; p <= 100; p += 25) {
    const float y = y_of(p / 100.0);
    draw->AddLine({left, y}, {right, y}, (pal.text_dim & 0x00ffffff) | 0x40000000);
    const std::string label = std::to_string(p) + " %";
    draw->AddText({left - ImGui::CalcTextSize(label.c_str()).x - em * 0.3f, y - em * 0.5f}, pal.text_dim,
                  label.c_str());
  }
  for (int n : lengths_) {
    if (n != lo && n != hi && n % 5 != 0) continue;
    const std::string label = std::to_string(n);
    draw->AddText({x_of(n) - ImGui::CalcTextSize(label.c_str()).x / 2, bottom + em * 0.2f}, pal.text_dim,
                  label.c_str());
  }
  const char* axis = tr("source length (words)");
  draw->AddText({(left + right) / 2 - ImGui::CalcTextSize(axis).x / 2, bottom + em * 1.3f}, pal.text_dim, axis);
  for (const Model& m : models_) {
    const ImU32 c = model_colour(m.figures.name);
    for (std::size_t i = 0; i < lengths_.size(); ++i) {
      const ImVec2 p{x_of(lengths_[i]), y_of(m.figures.accuracy[i])};
      if (i > 0) draw->AddLine({x_of(lengths_[i - 1]), y_of(m.figures.accuracy[i - 1])}, p, c, 2.0f);
      draw->AddCircleFilled(p, em * 0.18f, c);
    }
  }
  ImGui::Dummy({width, height});
  if (ImGui::IsItemHovered()) {  // the figures at the nearest length
    const float mx = ImGui::GetIO().MousePos.x;
    std::size_t best = 0;
    for (std::size_t i = 1; i < lengths_.size(); ++i)
      if (std::abs(x_of(lengths_[i]) - mx) < std::abs(x_of(lengths_[best]) - mx)) best = i;
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(formatted(tr("%d words"), lengths_[best]).c_str());
    for (const Model& m : models_)
      ImGui::TextColored(colour(model_colour(m.figures.name)), "%s",
                         formatted(tr("%s: %.1f %% of %d tokens"), model_title(m.figures.name).c_str(),
                                   100 * m.figures.accuracy[best], m.figures.tokens[best])
                             .c_str());
    ImGui::EndTooltip();
  }
}

void WhyAttentionPanel::attention_maps(const AppState& app, Selection& selection, float width) {
  HeatmapRow row{width, ImGui::GetFontSize(), 0, 0};
  int id = 0;
  for (Model& m : models_) {
    if (m.lesson.config.architecture == Architecture::seq2seq) continue;  // nothing to look back at
    HeatmapSpec spec;
    const auto caption = [&]() -> std::string {
      const char* title = m.lesson.config.recurrent() ? tr("Bahdanau: α_ij = softmax_j(e_ij)")
                                                      : tr("Transformer: cross-attention, heads averaged");
      return m.attention.size() == 0 ? formatted(tr("%s (this pair does not fit the model)"), title) : title;
    };
    spec.caption = caption();
    spec.name = in_english(caption);
    spec.values = &m.attention;
    spec.scale = ColourScale::sequential;
    spec.texture_key = mix_key(app.generation, 0x5e92, static_cast<std::uint64_t>(id));
    spec.row_labels = app.tgt_in_words;
    spec.col_labels = app.src_words;
    spec.row_tokens = TokenSide::target;
    spec.col_tokens = TokenSide::source;
    const float em = ImGui::GetFontSize(), each = std::min(width, std::clamp(width / 2 - em, em * 20, em * 44));
    if (m.attention.size() > 0)
      row.draw(spec, each, id, HeatmapLook{app.theme, app.textures}, selection);
    else
      ImGui::TextWrapped("%s", spec.caption.c_str());
    ++id;
  }
}

void WhyAttentionPanel::gradient_bars(const AppState& app, const Palette& pal, float width) {
  const float em = ImGui::GetFontSize();
  const float each = std::max(em * 16, (width - 2 * em) / 3);
  if (ImGui::RadioButton(tr("trained weights"), !initial_weights_)) initial_weights_ = false;
  ImGui::SameLine();
  if (ImGui::RadioButton(tr("the seed's initial weights, where training starts"), initial_weights_))
    initial_weights_ = true;
  for (std::size_t k = 0; k < models_.size(); ++k) {
    const Model& m = models_[k];
    const std::vector<double>& grads = initial_weights_ ? m.initial_grads : m.token_grads;
    if (k > 0) same_line_if_fits(each);
    ImGui::BeginGroup();
    ImGui::TextColored(colour(model_colour(m.figures.name)), "%s", model_title(m.figures.name).c_str());
    if (grads.empty()) {
      ImGui::TextUnformatted("—");
    } else {
      const double first = grads.front(), last = grads.back();
      ImGui::TextUnformatted(formatted(tr("‖∂L/∂e₀‖ = %s, first/last = %s"), format_significant(first, 3).c_str(),
                                       format_significant(first / last, 3).c_str())
                                 .c_str());
      std::vector<std::string> labels(
          app.src_words.begin(),
          app.src_words.begin() + static_cast<std::ptrdiff_t>(std::min(app.src_words.size(), grads.size())));
      bar_plot(("grad" + std::to_string(k)).c_str(), grads, labels, {each - em, em * 6}, pal, 0);
    }
    ImGui::EndGroup();
  }
}

void WhyAttentionPanel::draw(const AppState& app, Selection& selection, Commands&) {
  const Palette& pal = palette(app.theme);
  load(app);
  if (!message_.empty()) {
    ImGui::TextColored(colour(pal.warning), "%s", message_.c_str());
    return;
  }
  if (models_.empty()) {
    hint(
        tr("This page compares the models of a lesson that trains several on one task: open "
           "assets/lessons/why-attention.json (File, Open lesson…), where Seq2Seq, Seq2Seq + Bahdanau attention "
           "and a Transformer learned to reverse 3 to 20 digits."));
    return;
  }
  run_pair(app);
  const float em = ImGui::GetFontSize(), width = ImGui::GetContentRegionAvail().x;
  section_title(tr("Held-out token accuracy against sentence length"), tr("shipped weights; hover for the figures"),
                pal);
  for (std::size_t k = 0; k < models_.size(); ++k) {
    const Model& m = models_[k];
    const std::string text =
        formatted(tr("%s: %.0f %% at %d words, %.0f %% at %d"), model_title(m.figures.name).c_str(),
                  100 * m.figures.accuracy.front(), lengths_.front(), 100 * m.figures.accuracy.back(), lengths_.back());
    const float swatch = em * 1.2f, w = swatch + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(text.c_str()).x;
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    if (k > 0 && ImGui::GetItemRectMax().x + em * 1.5f + w <= right) ImGui::SameLine(0, em * 1.5f);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::GetWindowDrawList()->AddLine({at.x, at.y + em * 0.55f}, {at.x + swatch, at.y + em * 0.55f},
                                        model_colour(m.figures.name), std::max(2.0f, em * 0.15f));
    ImGui::Dummy({swatch, em});
    ImGui::SameLine();
    ImGui::TextColored(colour(model_colour(m.figures.name)), "%s", text.c_str());
  }
  const float avail_h = ImGui::GetContentRegionAvail().y;
  accuracy_plot(pal, width, std::clamp(avail_h * 0.3f, em * 7, em * 14));
  hint(
      tr("Seq2Seq hands the decoder one vector, the encoder's last state: the longer the sentence, the more it "
         "loses. With attention every decoder step reads every encoder state."));
  ImGui::Spacing();
  section_title(tr("Where each output word looks"), tr("the sentence pair being run; rows: target, columns: source"),
                pal);
  attention_maps(app, selection, width);
  ImGui::Spacing();
  section_title(tr("Gradient reaching each source word, ‖∂L/∂e_t‖"),
                tr("the same pair; e_t = embedding of source word t"), pal);
  gradient_bars(app, pal, width);
  hint(
      tr("In Seq2Seq every word's gradient comes back through the recurrence, step after step: at the initial "
         "weights the first word gets a ten-thousandth of the last word's. With attention each source word also gets "
         "gradient straight from every output step that looks at it. Trained, the GRU's gates keep a path open and the "
         "difference is gone; what Seq2Seq cannot fix is the one vector it reads."));
}

}  // namespace attnviz::views

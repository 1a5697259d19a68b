#include "views/gradlab_transformer_panel.h"

#include "model/error.h"
#include "model/gradlab/chain_rule.h"
#include "model/number_format.h"
#include "model/translatable.h"
#include "views/file_actions.h"
#include "views/i18n.h"
#include "views/log_plot.h"
#include "views/plot.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string_view>

namespace attnviz::views {

using namespace attnviz::gradlab;

namespace {

ImVec4 colour(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// Okabe–Ito: residual in blues, plain in oranges; post-norm the darker of each pair.
ImU32 variant_colour(const FlowVariant& v) {
  if (v.residual) return v.norm == NormPlacement::post ? IM_COL32(0, 114, 178, 255) : IM_COL32(86, 180, 233, 255);
  return v.norm == NormPlacement::post ? IM_COL32(213, 94, 0, 255) : IM_COL32(230, 159, 0, 255);
}

std::string variant_name(const FlowVariant& v) {
  if (v.residual) return v.norm == NormPlacement::post ? tr("residual, post-norm") : tr("residual, pre-norm");
  return v.norm == NormPlacement::post ? tr("plain, post-norm") : tr("plain, pre-norm");
}

// `s` with every `from` replaced by `to`.
std::string replace_all(const std::string& s, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t i = 0;
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, i)) {
    out.append(s, i, at - i);
    out.append(to);
    i = at + from.size();
  }
  out.append(s, i, std::string::npos);
  return out;
}

// "encoder.0.self_attn" → "E0 self";  "decoder.layers.1.cross_attn" → "D1 cross";  "src_embed" → "src emb".
std::string short_label(std::string s) {
  s = replace_all(s, "encoder.layers.", "E");
  s = replace_all(s, "decoder.layers.", "D");
  s = replace_all(s, "encoder.norm", "E norm");
  s = replace_all(s, "decoder.norm", "D norm");
  s = replace_all(s, "encoder.", "E");
  s = replace_all(s, "decoder.", "D");
  s = replace_all(s, "self_attn", "self");
  s = replace_all(s, "cross_attn", "cross");
  s = replace_all(s, "_embed", " emb");
  s = replace_all(s, "generator", "output");
  s = replace_all(s, ".", " ");
  return s;
}

// Dim text after the previous item on the same line, or on a line of its own (wrapped) if it
// does not fit there.
void hint_beside(const std::string& text) {
  ImGui::SameLine(0, ImGui::GetFontSize());
  if (ImGui::CalcTextSize(text.c_str()).x > ImGui::GetContentRegionAvail().x) ImGui::NewLine();
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("%s", text.c_str());
  ImGui::PopStyleColor();
}

bool same_depth(const Config& a, const Config& b) {
  return a.encoder_layers == b.encoder_layers && a.decoder_layers == b.decoder_layers;
}

bool same_block(const Where& a, const Where& b) {
  return a.stack == b.stack && a.layer == b.layer && a.sublayer == b.sublayer;
}

}  // namespace

int session_backward_step(const Trace& trace, const SublayerGradient& s) {
  if (s.backward_step >= 0 && s.backward_step < trace.step_count()) {
    const Step& step = trace.step(s.backward_step);
    if (step.phase == Phase::backward && same_block(step.where, s.where)) return s.backward_step;
  }
  for (int i = 0; i < trace.forward_count(); ++i)
    if (same_block(trace.step(i).where, s.where)) return trace.step(i).twin;
  return -1;
}

namespace {

// The parameters' values alone (gradients left empty): what the variants copy in.
Parameters values_of(const Parameters& params) {
  Parameters values;
  for (const Tensor& p : params) {
    Tensor& t = values[values.add(p.name, p.role, static_cast<int>(p.value.rows()), static_cast<int>(p.value.cols()))];
    t.grad = Mat();
    t.value = p.value;
  }
  return values;
}

}  // namespace

FlowJob::FlowJob(Config config, Example example, std::uint64_t seed, std::optional<Parameters> weights) {
  thread_ =
      std::thread([this, config = std::move(config), example = std::move(example), seed, weights = std::move(weights)] {
        try {
          result_ = gradient_flow_variants(config, example, seed, weights ? &*weights : nullptr, [this](int done, int) {
            variants_done_ = done;
            return !cancel_.load();
          });
        } catch (...) {
          error_ = std::current_exception();
        }
        done_ = true;
      });
}

FlowJob::~FlowJob() {
  cancel_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<FlowVariant> FlowJob::take() {
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
  return std::move(result_);
}

void GradLabTransformerPanel::cancel() {
  if (!job_) return;
  job_->cancel();
  cancelled_ = job_key_;
}

void GradLabTransformerPanel::start(const AppState& app, const Key& key) {
  ++recomputations_;
  job_key_ = key;
  try {
    Config config = app.session.config();
    if (key.layers > 0) config.encoder_layers = config.decoder_layers = key.layers;
    validate(config);
    job_own_weights_ = same_depth(config, app.session.config());
    job_words_ =
        job_own_weights_
            ? weights_in_words(app.session)
            : formatted(tr("fresh weights from seed %llu (this session's weights are for %d layers)"),
                        static_cast<unsigned long long>(app.session.seed()), app.session.config().encoder_layers);
    job_ = std::make_unique<FlowJob>(
        config, app.session.example(), app.session.seed(),
        job_own_weights_ ? std::optional(values_of(app.session.model().params())) : std::nullopt);
  } catch (const std::exception& e) {
    computed_ = key;
    variants_.clear();
    message_ = formatted(tr("Cannot compute the variants: %s"), e.what());
  }
}

const std::vector<FlowVariant>& GradLabTransformerPanel::variants(const AppState& app) {
  if (layers != 0 && layers != 6 && layers != 12) layers = 0;
  const Key key{app.generation, &app.session, layers};
  if (job_ && !(job_key_ == key)) job_->cancel();  // its inputs are gone: finish early, discard
  if (!job_ && !(computed_ == key) && !(cancelled_ && *cancelled_ == key)) start(app, key);
  if (job_ && !threaded)
    while (!job_->done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!job_ || !job_->done()) return variants_;
  const std::unique_ptr<FlowJob> job = std::move(job_);
  try {
    std::vector<FlowVariant> result = job->take();
    if (!(job_key_ == key) || job->cancelled()) return variants_;
    own_weights_ = job_own_weights_;
    weights_words_ = job_words_;
    message_.clear();
    install(app, std::move(result));
  } catch (const std::exception& e) {
    variants_.clear();
    message_ = formatted(tr("Cannot compute the variants: %s"), e.what());
  }
  computed_ = key;
  return variants_;
}

void GradLabTransformerPanel::install(const AppState& app, std::vector<FlowVariant> result) {
  variants_ = std::move(result);
  sub_short_.clear(), sub_title_.clear(), sub_norms_.clear(), sub_step_.clear();
  group_short_.clear(), group_title_.clear(), group_norms_.clear();
  if (variants_.empty()) return;

  // Sublayers: every variant has the same ones, in the same order.
  const Trace& trace = app.session.trace();
  sub_norms_.assign(variants_.size(), {});
  for (const SublayerGradient& s : variants_.front().flow.sublayers) {
    sub_short_.push_back(short_label(s.label));
    sub_title_.push_back(s.label);
    sub_step_.push_back(own_weights_ ? session_backward_step(trace, s) : -1);
  }
  for (std::size_t v = 0; v < variants_.size(); ++v)
    for (std::size_t i = 0; i < sub_short_.size(); ++i)
      sub_norms_[v].push_back(i < variants_[v].flow.sublayers.size() ? variants_[v].flow.sublayers[i].input_grad_norm
                                                                     : 0);

  // Parameter groups: pre-norm has two more (the closing LayerNorms); list every group of any variant.
  for (const FlowVariant& v : variants_)
    for (const ParameterGroupGradient& g : v.flow.groups)
      if (std::find(group_title_.begin(), group_title_.end(), g.group) == group_title_.end())
        group_title_.push_back(g.group);
  for (const std::string& g : group_title_) group_short_.push_back(short_label(g));
  // NaN where a variant has no such group (post-norm has no closing LayerNorm): no bar at all.
  group_norms_.assign(variants_.size(), std::vector<double>(group_title_.size(), std::nan("")));
  for (std::size_t v = 0; v < variants_.size(); ++v)
    for (const ParameterGroupGradient& g : variants_[v].flow.groups) {
      const auto at = std::find(group_title_.begin(), group_title_.end(), g.group) - group_title_.begin();
      group_norms_[v][static_cast<std::size_t>(at)] = g.grad_norm;
    }
}

void GradLabTransformerPanel::progress_line(const AppState& app) {
  const Key key{app.generation, &app.session, layers};
  if (job_) {
    const int done = job_->variants_done();
    const std::string label = formatted(tr("variant %d of 4"), std::min(done + 1, 4));
    ImGui::ProgressBar(static_cast<float>(done) / 4, ImVec2(ImGui::GetFontSize() * 14, 0), label.c_str());
    ImGui::SameLine();
    if (job_->cancelled())
      ImGui::TextDisabled(tr("cancelling …"));
    else if (ImGui::Button(tr("Cancel")))
      cancel();
    ImGui::SameLine();
    ImGui::TextDisabled(variants_.empty() ? tr("computing the four variants")
                                          : tr("computing; the figures below are the last ones"));
  } else if (cancelled_ && *cancelled_ == key) {
    if (ImGui::Button(tr("Compute"))) cancelled_.reset();
    ImGui::SameLine();
    ImGui::TextDisabled(variants_.empty() ? tr("cancelled")
                                          : tr("cancelled: the figures below are from before the last change"));
  }
}

namespace {

constexpr int max_decades = 12;  // plain 12-layer stacks reach 1e-148 and 0: keep the axis readable

// The session's own variant: the one its trace was recorded with, whose bars link to its steps.
int own_variant(const std::vector<FlowVariant>& vs, const Config& own) {
  for (std::size_t v = 0; v < vs.size(); ++v)
    if (vs[v].residual == own.residual && vs[v].norm == own.norm) return static_cast<int>(v);
  return -1;
}

// The four variants' losses on the session's sentence pair, in their colours.
void losses(const std::vector<FlowVariant>& vs) {
  ImGui::TextUnformatted(tr("loss on this sentence pair:"));
  for (const FlowVariant& v : vs) {
    const std::string text = "  " + variant_name(v) + " " + format_number(v.flow.loss, 4);
    same_line_if_fits(ImGui::CalcTextSize(text.c_str()).x);
    ImGui::TextColored(colour(variant_colour(v)), "%s", text.c_str());
  }
}

}  // namespace

// 0 (this model's depth), 6 or 12 layers in each stack.
void GradLabTransformerPanel::depth_choice(const Config& own) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Layers in each stack:"));
  for (int choice : {0, 6, 12}) {
    ImGui::SameLine();
    ImGui::PushID(choice);
    const std::string label =
        choice == 0 ? formatted(tr("this model (%d)"), own.encoder_layers) : std::to_string(choice);
    if (ImGui::RadioButton(label.c_str(), layers == choice)) layers = choice;
    ImGui::PopID();
  }
  hint_beside(
      tr("all four variants on the same weights and the same sentence pair; deeper stacks show the effect more"));
}

// What a sublayer's bar opens: its backward step in this model, or why none.
void GradLabTransformerPanel::sublayer_tooltip(const AppState& app, const std::vector<FlowVariant>& vs, int bar,
                                               int step, bool current_figures) {
  const int own = own_variant(vs, app.session.config());
  ImGui::BeginTooltip();
  if (step >= 0 && own >= 0)
    ImGui::Text(
        tr("Click: step %d, %s (backward), where this model (%s) has ‖∂L/∂x‖ = %s"), step,
        app.session.trace().step(step).label.c_str(), variant_name(vs[static_cast<std::size_t>(own)]).c_str(),
        format_significant(sub_norms_[static_cast<std::size_t>(own)][static_cast<std::size_t>(bar)], 4).c_str());
  else if (!current_figures)
    ImGui::TextDisabled(tr("Figures from before the last change: no step to open until the new ones are in."));
  else if (!own_weights_)
    ImGui::TextDisabled(tr("%d layers on fresh weights: not this session's trace, no step to open."), layers);
  else
    ImGui::TextDisabled(tr("This model has %d layers: this sublayer is not in its trace."),
                        app.session.config().encoder_layers);
  ImGui::EndTooltip();
}

// ‖∂L/∂x‖ at each sublayer's input, the cursor's sublayer tinted; a bar opens its backward step.
void GradLabTransformerPanel::sublayer_plot(const AppState& app, const std::vector<FlowVariant>& vs,
                                            const Selection& selection, Commands& commands) {
  const float em = ImGui::GetFontSize();
  ImGui::TextUnformatted(tr("‖∂L/∂x‖ at the input x of each sublayer, log scale"));
  hint_beside(tr("click a bar: its backward step"));
  hint_beside(
      formatted(tr("on the floor: with an arrow, smaller than 1e-%d of the top; hollow, exactly 0"), max_decades));
  LogBarPlot subs;
  subs.id = "sublayers";
  subs.title = N_("‖∂L/∂x‖ at the input of each sublayer");
  for (std::size_t v = 0; v < vs.size(); ++v)
    subs.series.push_back({variant_name(vs[v]), sub_norms_[v], variant_colour(vs[v])});
  subs.group_labels = sub_short_;
  subs.group_titles = sub_title_;
  subs.y_label = tr("E = encoder, D = decoder");
  for (std::size_t i = 0; i < sub_title_.size(); ++i)
    if (same_block(vs.front().flow.sublayers[i].where, selection.where)) subs.highlight = static_cast<int>(i);
  subs.selected_bar = own_variant(vs, app.session.config());
  subs.min_group_width = em * 1.8f;
  subs.max_decades = max_decades;
  // Both plots share what is left below the hints; the sublayers get a little more.
  subs.height = std::max(em * 9, (ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing()) * 0.54f);
  const PlotHit hit = draw_log_bar_plot(subs, palette(app.theme));
  // Figures from before the last change link to no step: the trace they name is gone.
  const bool current_figures = computed_ == Key{app.generation, &app.session, layers};
  const auto step_of = [&](int bar) {
    return current_figures && bar >= 0 && static_cast<std::size_t>(bar) < sub_step_.size()
               ? sub_step_[static_cast<std::size_t>(bar)]
               : -1;
  };
  if (hit.hovered >= 0 && static_cast<std::size_t>(hit.hovered) < sub_step_.size())
    sublayer_tooltip(app, vs, hit.hovered, step_of(hit.hovered), current_figures);
  if (step_of(hit.clicked) >= 0) commands.push(GoToStep{step_of(hit.clicked)});
}

// ‖∂L/∂W‖ of each parameter group, in the rest of the panel.
void GradLabTransformerPanel::group_plot(const std::vector<FlowVariant>& vs, const Palette& pal) {
  ImGui::TextUnformatted(tr("‖∂L/∂W‖ of each parameter group, log scale"));
  LogBarPlot groups;
  groups.id = "groups";
  groups.title = N_("‖∂L/∂W‖ of each parameter group");
  for (std::size_t v = 0; v < vs.size(); ++v)
    groups.series.push_back({variant_name(vs[v]), group_norms_[v], variant_colour(vs[v])});
  groups.group_labels = group_short_;
  groups.group_titles = group_title_;
  groups.min_group_width = ImGui::GetFontSize() * 1.8f;
  groups.max_decades = max_decades;
  groups.height =
      std::max(ImGui::GetFontSize() * 9, ImGui::GetContentRegionAvail().y - ImGui::GetStyle().ItemSpacing.y);
  draw_log_bar_plot(groups, pal);
}

void GradLabTransformerPanel::draw(const AppState& app, Selection& selection, Commands& commands) {
  const Palette& pal = palette(app.theme);
  depth_choice(app.session.config());
  const std::vector<FlowVariant>& vs = variants(app);
  progress_line(app);
  if (!message_.empty()) {
    ImGui::TextColored(colour(pal.warning), "%s", message_.c_str());
    return;
  }
  if (vs.empty()) return;
  ImGui::TextWrapped(tr("Weights: %s."), weights_words_.c_str());
  losses(vs);
  sublayer_plot(app, vs, selection, commands);
  group_plot(vs, pal);
}

}  // namespace attnviz::views

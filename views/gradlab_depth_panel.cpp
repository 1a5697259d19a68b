#include "views/gradlab_depth_panel.h"

#include "model/error.h"
#include "model/gradlab/chain_rule.h"
#include "views/gradlab_scalar_panel.h"
#include "views/i18n.h"
#include "views/log_plot.h"
#include "views/plot.h"

#include <algorithm>
#include <cmath>

namespace attnviz::views {

using namespace attnviz::gradlab;

namespace {

ImVec4 colour(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

// Residual in blue, plain in vermillion (Okabe–Ito: distinct for colour-blind viewers).
constexpr ImU32 residual_colour = IM_COL32(0, 114, 178, 255);
constexpr ImU32 plain_colour = IM_COL32(213, 94, 0, 255);

bool same_config(const DepthConfig& a, const DepthConfig& b) {
  return a.depth == b.depth && a.width == b.width && a.activation == b.activation && a.scale == b.scale &&
         a.seed == b.seed;
}

std::string num(double v) { return format_number(v, 4); }

// "name:", "1", "× 0.2132", "× 0.1977", …, "= 3.2e-12": ‖∂L/∂h_L‖ times ‖J_k‖ for k = L down to l + 1.
std::vector<std::string> product_tokens(const char* name, const DepthNetwork& net, int l) {
  const int depth = static_cast<int>(net.layers.size());
  std::vector<std::string> tokens = {name, num(net.layers.back().grad_h_norm)};
  double product = net.layers.back().grad_h_norm;
  for (int k = depth; k > l; --k) {
    const double j = net.layers[static_cast<std::size_t>(k - 1)].jacobian_norm;
    tokens.push_back("× " + num(j));
    product *= j;
  }
  tokens.push_back("= " + num(product));
  return tokens;
}

double grad_norm_at(const DepthNetwork& net, int l) {
  return l == 0 ? net.grad_h0_norm : net.layers[static_cast<std::size_t>(l - 1)].grad_h_norm;
}

}  // namespace

const DepthComparison& GradLabDepthPanel::result() {
  if (have_result_ && same_config(result_.config, config)) return result_;
  try {
    validate(config);
    result_ = compare_depth_networks(config);
    have_result_ = true;
    ++recomputations_;
    plain_curve_ = result_.plain.grad_norm_curve();
    residual_curve_ = result_.residual.grad_norm_curve();
  } catch (const InputError& e) {
    message = formatted(tr("Refused: %s"), e.what());
    if (have_result_) {
      config = result_.config;
    } else {
      config = DepthConfig{};
      return result();
    }
  }
  return result_;
}

namespace {

// SameLine() when an item `item_w` wide with its label `label` still fits the row.
void same_line_for(float item_w, const char* label) {
  same_line_if_fits(item_w + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x);
}

// Layers, width, activation, initial scale and seed, wrapping onto as many rows as the width needs.
bool config_row(DepthConfig& config) {
  const float em = ImGui::GetFontSize();
  bool edited = false;
  ImGui::SetNextItemWidth(em * 8);
  edited |= ImGui::SliderInt(labelled("layers L").c_str(), &config.depth, 1, max_depth_layers, "%d",
                             ImGuiSliderFlags_AlwaysClamp);
  same_line_for(em * 8, tr("width d"));
  ImGui::SetNextItemWidth(em * 8);
  edited |= ImGui::SliderInt(labelled("width d").c_str(), &config.width, 1, max_depth_width, "%d",
                             ImGuiSliderFlags_AlwaysClamp);
  same_line_for(em * 6, tr("activation"));
  int activation = static_cast<int>(config.activation);
  ImGui::SetNextItemWidth(em * 6);
  if (ImGui::Combo(labelled("activation").c_str(), &activation, "sigmoid σ\0tanh\0ReLU\0")) {
    config.activation = static_cast<Activation>(std::clamp(activation, 0, 2));
    edited = true;
  }
  same_line_for(em * 8, tr("initial scale"));
  const double scale_min = 0.01, scale_max = max_init_scale;
  ImGui::SetNextItemWidth(em * 8);
  edited |= ImGui::SliderScalar(labelled("initial scale").c_str(), ImGuiDataType_Double, &config.scale, &scale_min,
                                &scale_max, "%.3g", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip(tr("W_l entries ~ U(−a, a), a = scale·√(3/d)   (Ctrl+click to type)"));
  same_line_for(em * 5, tr("seed"));
  ImGui::SetNextItemWidth(em * 5);
  edited |= ImGui::InputScalar(labelled("seed").c_str(), ImGuiDataType_U64, &config.seed);
  config.depth = std::clamp(config.depth, 1, max_depth_layers);
  config.width = std::clamp(config.width, 1, max_depth_width);
  return edited;
}

// The first layer: how much more gradient reaches it with the skips (each part on the row when it fits).
void first_layer_summary(const DepthComparison& r, const Palette& pal) {
  const double plain_first = grad_norm_at(r.plain, 0), residual_first = grad_norm_at(r.residual, 0);
  const std::string norms = formatted(tr("At the input h_0:  ‖∂L/∂h_0‖ plain %s,  residual %s"),
                                      num(plain_first).c_str(), num(residual_first).c_str());
  const std::string ratio =
      formatted(tr("residual / plain = %s×"), plain_first > 0 ? num(residual_first / plain_first).c_str() : "∞");
  const std::string weights =
      formatted(tr("first layer's weights ‖∂L/∂W_1‖: %s"),
                std::isnan(r.first_layer_ratio) ? tr("both 0") : (num(r.first_layer_ratio) + "×").c_str());
  ImGui::TextUnformatted(norms.c_str());
  same_line_if_fits(ImGui::CalcTextSize(ratio.c_str()).x + ImGui::GetFontSize());
  ImGui::TextColored(colour(pal.backward_arrow), "%s", ratio.c_str());
  same_line_if_fits(ImGui::CalcTextSize(weights.c_str()).x + ImGui::GetFontSize());
  ImGui::TextDisabled("%s", weights.c_str());
}

// The layer-by-layer bound ‖∂L/∂h_l‖ ≤ ‖∂L/∂h_L‖ · ‖J_L‖ … ‖J_{l+1}‖ written out for both
// networks beside the actual norms.
void bound_text(const DepthComparison& r, int layer) {
  ImGui::PushTextWrapPos(0);
  ImGui::Text("‖∂L/∂h_%d‖ ≤ ‖∂L/∂h_L‖ · ‖J_L‖ … ‖J_%d‖,  J_k = ∂h_k/∂h_{k−1}", layer, layer + 1);
  ImGui::TextDisabled(tr("Each factor is a layer's local gradient norm; the residual's J_k has the + I of example D."));
  flow_tokens(product_tokens(tr("residual:"), r.residual, layer), residual_colour);
  ImGui::Text(tr("   actual ‖∂L/∂h_%d‖ = %s"), layer, num(grad_norm_at(r.residual, layer)).c_str());
  flow_tokens(product_tokens(tr("plain:"), r.plain, layer), plain_colour);
  ImGui::Text(tr("   actual ‖∂L/∂h_%d‖ = %s"), layer, num(grad_norm_at(r.plain, layer)).c_str());
  ImGui::PopTextWrapPos();
}

// ‖J_k‖ of each layer above `layer`, residual and plain, with the running products.
void jacobian_table(const DepthComparison& r, int layer) {
  const int depth = r.config.depth;
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                ImGuiTableFlags_SizingStretchSame;
  const float em = ImGui::GetFontSize();
  if (layer >= depth ||
      !ImGui::BeginTable("jacobians", 5, flags, ImVec2(0, std::max(em * 5, ImGui::GetContentRegionAvail().y))))
    return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("k");
  ImGui::TableSetupColumn(tr("‖J_k‖ resid."));
  ImGui::TableSetupColumn(tr("product"));
  ImGui::TableSetupColumn(tr("‖J_k‖ plain"));
  ImGui::TableSetupColumn(tr("product"));
  ImGui::TableHeadersRow();
  double pr = r.residual.layers.back().grad_h_norm, pp = r.plain.layers.back().grad_h_norm;
  for (int k = depth; k > layer; --k) {
    const double jr = r.residual.layers[static_cast<std::size_t>(k - 1)].jacobian_norm;
    const double jp = r.plain.layers[static_cast<std::size_t>(k - 1)].jacobian_norm;
    pr *= jr;
    pp *= jp;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("%d", k);
    ImGui::TableNextColumn();
    ImGui::TextColored(colour(residual_colour), "%s", num(jr).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(num(pr).c_str());
    ImGui::TableNextColumn();
    ImGui::TextColored(colour(plain_colour), "%s", num(jp).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(num(pp).c_str());
  }
  ImGui::EndTable();
}

}  // namespace

// ‖∂L/∂h_l‖ per layer for both networks on a log scale; a click chooses the layer.
void GradLabDepthPanel::curves(const Palette& pal, float height) {
  LogLinePlot plot;
  plot.id = "curves";
  plot.series = {{tr("residual  h_l = f(W_l h_{l−1}) + h_{l−1}"), residual_curve_, residual_colour},
                 {tr("plain  h_l = f(W_l h_{l−1})"), plain_curve_, plain_colour}};
  plot.x_label = tr("layer l (0 = the input)");
  plot.y_label = tr("‖∂L/∂h_l‖, log scale");
  plot.highlight = layer;
  plot.size = ImVec2(0, height);
  const PlotHit hit = draw_log_line_plot(plot, pal);
  if (hit.clicked >= 0) layer = hit.clicked;
}

void GradLabDepthPanel::draw(const AppState& app, Selection&, Commands&) {
  const Palette& pal = palette(app.theme);
  const float em = ImGui::GetFontSize();
  if (config_row(config)) message.clear();
  const DepthComparison& r = result();
  const int depth = r.config.depth;
  layer = std::clamp(layer, 0, depth);
  if (!message.empty()) ImGui::TextColored(colour(pal.warning), "%s", message.c_str());
  first_layer_summary(r, pal);
  const float avail_w = ImGui::GetContentRegionAvail().x, avail_h = ImGui::GetContentRegionAvail().y;
  if (!ImGui::BeginTable("depth", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_BordersInnerV)) return;
  const float plot_weight = avail_w > em * 60 ? 1.4f : 1.0f;
  ImGui::TableSetupColumn("plot", ImGuiTableColumnFlags_WidthStretch, plot_weight);  // not translated: no header row
  ImGui::TableSetupColumn("factors", ImGuiTableColumnFlags_WidthStretch, 1.0f);      // not translated: no header row
  ImGui::TableNextColumn();
  const float height = std::max(em * 12, avail_h - ImGui::GetStyle().ItemSpacing.y);
  curves(pal, height);
  ImGui::TableNextColumn();
  if (ImGui::BeginChild("factors", ImVec2(0, height))) {
    ImGui::SetNextItemWidth(em * 10);
    ImGui::SliderInt(labelled("selected layer l").c_str(), &layer, 0, depth, "%d", ImGuiSliderFlags_AlwaysClamp);
    layer = std::clamp(layer, 0, depth);
    bound_text(r, layer);
    jacobian_table(r, layer);
  }
  ImGui::EndChild();
  ImGui::EndTable();
}

}  // namespace attnviz::views

#include "views/panels.h"

#include "model/error.h"
#include "model/quote.h"
#include "model/translatable.h"
#include "views/attention_panel.h"
#include "views/chain_rule_panel.h"
#include "views/gradlab_depth_panel.h"
#include "views/gradlab_scalar_panel.h"
#include "views/gradlab_transformer_panel.h"
#include "views/heads_panel.h"
#include "views/i18n.h"
#include "views/mask_panel.h"
#include "views/navigator_panel.h"
#include "views/output_panel.h"
#include "views/pe_panel.h"
#include "views/step_detail_panel.h"
#include "views/step_list_panel.h"
#include "views/tour_panel.h"
#include "views/training_panel.h"
#include "views/why_attention_panel.h"

#include <algorithm>

namespace attnviz::views {
namespace {

template <class P>
std::unique_ptr<Panel> make() {
  return std::make_unique<P>();
}

constexpr PanelInfo rows[] = {
    {PanelId::overview, Home::whole, N_("Overview"), "overview", {}, nullptr, nullptr},
    {PanelId::architecture,
     Home::tiled,
     N_("Architecture"),
     "architecture",
     {"navigator"},
     nullptr,
     make<NavigatorPanel>},
    {PanelId::steps, Home::tiled, N_("Steps"), "steps", {}, nullptr, make<StepListPanel>},
    {PanelId::detail, Home::tiled, N_("Step detail"), "detail", {"walkthrough"}, nullptr, make<StepDetailPanel>},
    {PanelId::chain_rule, Home::tiled, N_("Chain rule"), "chain-rule", {"chain"}, nullptr, make<ChainRulePanel>},
    {PanelId::heads, Home::centre_tab, N_("Heads"), "heads", {}, nullptr, make<HeadsPanel>},
    {PanelId::attention, Home::centre_tab, N_("Attention"), "attention", {}, nullptr, make<AttentionPanel>},
    {PanelId::masking, Home::centre_tab, N_("Masking"), "masking", {"mask"}, nullptr, make<MaskPanel>},
    {PanelId::position, Home::centre_tab, N_("Position"), "position", {"pe", "positional"}, nullptr, make<PePanel>},
    {PanelId::output, Home::centre_tab, N_("Output"), "output", {}, nullptr, make<OutputPanel>},
    {PanelId::gradlab_scalar,
     Home::gradient_lab,
     N_("Scalar chain (example C)"),
     "gradlab-scalar",
     {},
     N_("Gradient lab: the scalar chain"),
     make<GradLabScalarPanel>},
    {PanelId::gradlab_depth,
     Home::gradient_lab,
     N_("Depth (example D)"),
     "gradlab-depth",
     {},
     N_("Gradient lab: depth"),
     make<GradLabDepthPanel>},
    {PanelId::gradlab_transformer,
     Home::gradient_lab,
     N_("Inside the Transformer"),
     "gradlab-transformer",
     {},
     N_("Gradient lab: inside the Transformer"),
     make<GradLabTransformerPanel>},
    {PanelId::training, Home::floating, N_("Training"), "training", {}, nullptr, make<TrainingPanel>},
    {PanelId::tour, Home::floating, N_("Tour"), "tour", {}, nullptr, make<TourPanel>},
    {PanelId::why_attention,
     Home::floating,
     N_("Why attention?"),
     "why-attention",
     {},
     nullptr,
     make<WhyAttentionPanel>},
};
constexpr bool rows_in_id_order() {
  for (std::size_t i = 0; i < std::size(rows); ++i)
    if (static_cast<std::size_t>(rows[i].id) != i) return false;
  return true;
}
static_assert(std::size(rows) == panel_count && rows_in_id_order(), "one row per PanelId, in its order");

// open.panel names that open the step detail on a block of the figure rather than on a panel.
struct BlockName {
  const char* name;
  Sublayer block;
  const char* in_words;  // "feed-forward step"
};
constexpr BlockName block_names[] = {
    {"embedding", Sublayer::embed, "embedding step"},
    {"feed-forward", Sublayer::ffn, "feed-forward step"},
};

// '-' and '_' are the same letter.
bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x == '_' ? '-' : x) == (y == '_' ? '-' : y);
         });
}

// "a, b, c or d"
std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i)
    text += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return text;
}

// The names of every panel a lesson may open (all but the overview).
std::vector<std::string> openable_names() {
  std::vector<std::string> names;
  for (const PanelInfo& row : rows)
    if (row.home != Home::whole) names.emplace_back(row.name);
  return names;
}

}  // namespace

std::span<const PanelInfo> panel_table() { return rows; }

std::string PanelInfo::label() const { return labelled(title); }
std::string PanelInfo::window_label() const { return labelled(window()); }

const PanelInfo& panel_info(PanelId id) { return rows[static_cast<std::size_t>(id)]; }

std::optional<PanelId> panel_named(std::string_view name) {
  for (const PanelInfo& row : rows) {
    if (same_name(name, row.name)) return row.id;
    for (const char* alias : row.aliases)
      if (alias && same_name(name, alias)) return row.id;
  }
  return std::nullopt;
}

std::string panel_names(std::optional<Home> home) {
  std::vector<std::string> names;
  for (const PanelInfo& row : rows)
    if (!home || row.home == *home) names.emplace_back(row.name);
  return listed(names);
}

std::vector<std::string> lesson_panel_names() {
  std::vector<std::string> names;
  for (const PanelInfo& row : rows) {
    if (row.home == Home::whole) continue;
    names.emplace_back(row.name);
    for (const char* alias : row.aliases)
      if (alias) names.emplace_back(alias);
  }
  for (const BlockName& b : block_names) names.emplace_back(b.name);
  return names;
}

std::optional<PanelId> tour_panel(const TourStop& stop, std::size_t index) {
  if (stop.panel.empty()) return std::nullopt;
  const std::optional<PanelId> panel = panel_named(stop.panel);
  if (panel && panel_info(*panel).home != Home::whole) return panel;
  throw InputError(N_("%s: not a panel name; expected %s"),
                   {"tour[" + std::to_string(index) + "].panel = " + quote(stop.panel), listed(openable_names())});
}

LessonOpening lesson_opening(const Lesson& lesson) {
  const std::string field = "open.panel = " + quote(lesson.panel);
  for (const BlockName& b : block_names) {
    if (!same_name(lesson.panel, b.name)) continue;
    if (!lesson.attention.empty())
      throw InputError(field + ": this lesson is one attention head, its trace has no " + b.in_words);
    return {PanelId::detail, b.block};
  }
  const std::optional<PanelId> panel = panel_named(lesson.panel);
  if (panel && panel_info(*panel).home != Home::whole) return {*panel, std::nullopt};
  std::vector<std::string> names = openable_names();
  for (const BlockName& b : block_names) names.emplace_back(b.name);
  throw InputError(N_("%s: not a panel name; expected %s"), {field, listed(names)});
}

}  // namespace attnviz::views

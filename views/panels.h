#pragma once
// Every panel of the window, once: where it lives, its title, and the name the command line
// (--view, --page) and a lesson's open.panel ask for it by.  The View menu, the centre tab bar,
// the gradient lab's tabs, the command line's help and every message that lists panel names read
// this table; older names stay accepted as aliases.  A new panel is its own file (a class derived
// from Panel, panel.h), an id below and its row in panels.cpp.

#include "model/lesson.h"
#include "model/trace.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace attnviz::views {

class Panel;

enum class PanelId : std::uint8_t {
  overview,
  architecture,
  steps,
  detail,
  chain_rule,
  heads,
  attention,
  masking,
  position,
  output,
  gradlab_scalar,
  gradlab_depth,
  gradlab_transformer,
  training,
  tour,
  why_attention,
};
inline constexpr std::size_t panel_count = 16;

// Where a panel is drawn in the overview.
enum class Home : std::uint8_t {
  whole,         // the overview itself
  tiled,         // a window of the overview's tiling (the step detail: the centre window's first tab)
  centre_tab,    // a tab of the centre window, beside the step detail
  gradient_lab,  // a tab of the gradient lab window
  floating,      // a window over the overview, shown and hidden from the View menu
};

struct PanelInfo {
  PanelId id;
  Home home;
  const char* title;                   // its tab or window: "Position" (N_: translated where drawn)
  const char* name;                    // --view, --page, open.panel: "position"
  std::array<const char*, 2> aliases;  // older names, still accepted: "pe", "positional"
  const char* window_title;            // alone in the window (--view); null: the title
  std::unique_ptr<Panel> (*make)();    // null for the overview, which is the layout itself

  const char* window() const { return window_title ? window_title : title; }
  // Translated, with the English title as its ImGui ID ("단계 상세###Step detail", views/i18n.h).
  std::string label() const;
  std::string window_label() const;
};

// The rows, in the order of the tab bars and the View menu; row i has id i.
std::span<const PanelInfo> panel_table();
const PanelInfo& panel_info(PanelId id);

// A name or an alias → its panel; '-' and '_' are the same letter ("chain_rule", "chain-rule").
std::optional<PanelId> panel_named(std::string_view name);
// "heads, attention, masking, position or output": the names of the rows of `home`, or of all.
std::string panel_names(std::optional<Home> home = std::nullopt);

// Where a lesson opens (open.panel): a panel, or a block of the figure ("embedding",
// "feed_forward") whose first step at or after open.step the step detail shows.
struct LessonOpening {
  PanelId panel = PanelId::detail;
  std::optional<Sublayer> block;
};
// Throws InputError ("open.panel = 'sideways': not a panel name; expected …") for a name that is
// neither, the overview, or a block the lesson's trace does not have (worked example A has no
// embedding and no feed-forward).
LessonOpening lesson_opening(const Lesson& lesson);
// The panel a tour stop opens (tour[index].panel), if it names one.  Throws InputError
// ("tour[3].panel = 'x': not a panel name; expected …") for a name that is not a panel's.
std::optional<PanelId> tour_panel(const TourStop& stop, std::size_t index);
// Every name open.panel accepts, aliases included.
std::vector<std::string> lesson_panel_names();

}  // namespace attnviz::views

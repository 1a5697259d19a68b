#include "views/panel.h"

#include <utility>

namespace attnviz::views {

PanelSet::PanelSet() {
  for (const PanelInfo& row : panel_table())
    if (row.make) panels_[static_cast<std::size_t>(row.id)] = row.make();
}

std::optional<PanelId> PanelSet::take_show_request() {
  std::optional<PanelId> asked;
  for (const std::unique_ptr<Panel>& panel : panels_)
    if (panel && panel->show_request) asked = std::exchange(panel->show_request, std::nullopt);
  return asked;
}

}  // namespace attnviz::views

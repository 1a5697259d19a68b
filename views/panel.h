#pragma once
// What every panel is to the window: something that draws itself into the current ImGui window
// from the app state, reads and writes the selection, and asks for changes through Commands.
// The window makes one of each from the registry (panels.h) and draws it where the panel lives.

#include "views/app_state.h"
#include "views/commands.h"
#include "views/panels.h"
#include "views/selection.h"

#include <array>
#include <memory>
#include <optional>

namespace attnviz::views {

class Panel {
 public:
  virtual ~Panel() = default;
  virtual void draw(const AppState& app, Selection& selection, Commands& commands) = 0;

  // A panel this one asks to bring forward (a head clicked in Heads opens Attention); the window
  // takes it after the frame.
  std::optional<PanelId> show_request;
};

// One of each panel of the registry, made by its row.
class PanelSet {
 public:
  PanelSet();
  Panel& operator[](PanelId id) { return *panels_[static_cast<std::size_t>(id)]; }
  const Panel& operator[](PanelId id) const { return *panels_[static_cast<std::size_t>(id)]; }
  template <class P>
  P& get(PanelId id) {
    return static_cast<P&>((*this)[id]);
  }
  template <class P>
  const P& get(PanelId id) const {
    return static_cast<const P&>((*this)[id]);
  }
  // The panel another asked to bring forward this frame, if any (taken: asked once).
  std::optional<PanelId> take_show_request();

 private:
  std::array<std::unique_ptr<Panel>, panel_count> panels_;
};

}  // namespace attnviz::views

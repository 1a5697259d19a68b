#pragma once
// The linked panels — attention heads, one head, masking, positional encoding, output — and the
// head they share.  The head follows the step cursor (see head_focus.h); choosing one moves the
// cursor to that head's softmax step in the current phase.

#include "model/analysis/attention.h"
#include "views/app_state.h"
#include "views/attention_panel.h"
#include "views/commands.h"
#include "views/mask_panel.h"
#include "views/output_panel.h"
#include "views/pe_panel.h"
#include "views/selection.h"

#include <cstdint>
#include <optional>

namespace attnviz::views {

enum class LinkedPage : std::uint8_t { heads, attention, mask, pe, output };
inline constexpr LinkedPage linked_pages[] = {LinkedPage::heads, LinkedPage::attention, LinkedPage::mask,
                                              LinkedPage::pe, LinkedPage::output};
// The tab's title: "Heads", "Attention", "Masking", "Position", "Output".
const char* page_title(LinkedPage page);

class LinkedPanels {
 public:
  void draw(LinkedPage page, const AppState& app, Selection& selection, Commands& commands);
  // The page a click asked to show (a head of the model view opens the head view), once.
  std::optional<LinkedPage> take_page_request() {
    const std::optional<LinkedPage> p = page_request_;
    page_request_.reset();
    return p;
  }
  const analysis::HeadRef& head() const { return head_; }

  AttentionPanel attention;
  MaskPanel mask;
  PePanel pe;
  OutputPanel output;

 private:
  void follow_cursor(const AppState& app, const Selection& selection);
  void head_bar(const AppState& app, const Selection& selection, Commands& commands);

  analysis::HeadRef head_;
  std::optional<LinkedPage> page_request_;
  std::optional<SaveImage> pending_image_;
};

}  // namespace attnviz::views

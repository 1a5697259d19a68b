#pragma once
// A button with a tooltip (naming its key, where it has one), greyed out when not enabled.

namespace attnviz::views {

bool tooltip_button(const char* label, const char* tooltip, bool enabled = true);

}  // namespace attnviz::views

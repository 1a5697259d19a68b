#pragma once
// attnviz's run of a lesson's example against the answer the model gave where it was trained
// (Lesson::reference, written by scripts/attnviz_export.py from PyTorch in float64).  They
// agree when the loss and every logit are equal to 1e-6 relative:
//   |L − L_ref| ≤ 1e-6 · |L_ref|   and   max |Z − Z_ref| ≤ 1e-6 · max |Z_ref|
// A mismatch means the lesson describes another function than the one trained (a config key,
// a special token or a weight that does not match), however plausible its outputs look.

#include "model/lesson.h"
#include "model/trace.h"

#include <string>

namespace attnviz {

inline constexpr double reference_tolerance = 1e-6;

struct ReferenceCheck {
  bool agrees = false;
  double loss = 0, reference_loss = 0;
  double loss_error = 0;         // relative
  double logits_error = 0;       // relative to the largest reference logit
  double logits_difference = 0;  // max |Z − Z_ref|
  std::string by;                // who computed the reference ("PyTorch 2.3, float64"; empty: not said)
  std::string message;           // one line, agreeing or not
  // The logits' shapes when they differ (0 × 0 here when the trace has none); else all 0.
  long rows = 0, cols = 0, reference_rows = 0, reference_cols = 0;
  bool shapes_differ() const { return reference_rows != 0 || reference_cols != 0; }
};

// Compares the trace's loss and logits (its forward must be of the lesson's example).
ReferenceCheck check_reference(const Reference& reference, const Trace& trace);

}  // namespace attnviz

#include "model/reference.h"

#include "model/transformer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace attnviz {

namespace {

std::string number(double v, const char* format = "%.6g") {
  char text[48];
  std::snprintf(text, sizeof text, format, v);
  return text;
}

// |a − b| / |b|; 0 when both are 0, ∞ when only b is.
double relative(double a, double b) {
  const double d = std::abs(a - b);
  if (d == 0) return 0;
  return b == 0 ? std::numeric_limits<double>::infinity() : d / std::abs(b);
}

}  // namespace

ReferenceCheck check_reference(const Reference& reference, const Trace& trace) {
  ReferenceCheck c;
  c.loss = trace.loss();
  c.reference_loss = reference.loss;
  c.loss_error = relative(c.loss, reference.loss);
  const std::optional<TensorId> logits = trace.find(names::logits);
  const Mat* Z = logits ? &trace.value(*logits) : nullptr;
  c.by = reference.by;
  const std::string by = reference.by.empty() ? "the reference" : reference.by;
  if (!Z || Z->rows() != reference.logits.rows() || Z->cols() != reference.logits.cols()) {
    c.logits_error = std::numeric_limits<double>::infinity();
    c.rows = Z ? Z->rows() : 0;
    c.cols = Z ? Z->cols() : 0;
    c.reference_rows = reference.logits.rows();
    c.reference_cols = reference.logits.cols();
    c.message = "does not match " + by + ": the logits here are " + (Z ? std::to_string(Z->rows()) : "0") + " × " +
                (Z ? std::to_string(Z->cols()) : "0") + ", the reference's " + std::to_string(reference.logits.rows()) +
                " × " + std::to_string(reference.logits.cols());
    return c;
  }
  const double scale = reference.logits.size() ? reference.logits.cwiseAbs().maxCoeff() : 0;
  const double worst = Z->size() ? (*Z - reference.logits).cwiseAbs().maxCoeff() : 0;
  c.logits_difference = worst;
  c.logits_error = worst == 0 ? 0 : scale == 0 ? std::numeric_limits<double>::infinity() : worst / scale;
  c.agrees = c.loss_error <= reference_tolerance && c.logits_error <= reference_tolerance;
  if (c.agrees) {
    c.message = "agrees with " + by + " on the example: loss " + number(c.loss) + " (relative difference " +
                number(c.loss_error, "%.1g") + "), logits to " + number(c.logits_error, "%.1g");
  } else {
    c.message =
        "disagrees with " + by + " on the example: loss " + number(c.loss, "%.10g") + " here, " +
        number(reference.loss, "%.10g") + " there (relative difference " + number(c.loss_error, "%.2g") +
        "), logits differ by up to " + number(worst, "%.3g") + " (relative " + number(c.logits_error, "%.2g") +
        "): this lesson does not compute the model that was trained (check its config, special tokens and weights)";
  }
  return c;
}

}  // namespace attnviz

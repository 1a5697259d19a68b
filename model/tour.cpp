#include "model/tour.h"

#include "model/error.h"
#include "model/quote.h"

namespace attnviz {

namespace {

std::string field(std::size_t index, const char* key) { return "tour[" + std::to_string(index) + "]." + key; }

// The matrix a selection indexes: the step's output (forward) or the gradient it passes down to
// its first input (backward), as the step detail shows them.
const Mat& selectable(const Trace& trace, const Step& step) {
  if (step.phase == Phase::forward) return trace.value(step.outputs[0]);
  return trace.share(step, 0);
}

}  // namespace

std::optional<int> tour_step(const TourStop& stop, std::size_t index, const Trace& trace) {
  if (stop.step.empty()) return std::nullopt;
  const std::optional<int> step = trace.find_step(stop.step, stop.phase);
  if (!step)
    throw InputError(field(index, "step") + " = " + quote(stop.step) + ": no " +
                     (stop.phase == Phase::forward ? "forward" : "backward") + " step of that label in this model");
  if (stop.select) {
    const Mat& m = selectable(trace, trace.step(*step));
    const auto [r, c] = *stop.select;
    if (r >= m.rows() || c >= m.cols())
      throw InputError(field(index, "select") + " = [" + std::to_string(r) + ", " + std::to_string(c) +
                       "]: outside the step's " + std::to_string(m.rows()) + "×" + std::to_string(m.cols()) +
                       " matrix");
  }
  return step;
}

void check_tour(const std::vector<TourStop>& tour, const Trace& trace) {
  for (std::size_t i = 0; i < tour.size(); ++i) tour_step(tour[i], i, trace);
}

std::string tour_stop_where(const TourStop& stop) {
  std::vector<std::string> parts;
  if (!stop.lesson.empty()) parts.push_back("opens " + stop.lesson);
  if (!stop.step.empty()) parts.push_back("step " + stop.step + (stop.phase == Phase::backward ? " (backward)" : ""));
  if (!stop.panel.empty()) parts.push_back(stop.panel);
  if (stop.select)
    parts.push_back("select " + std::to_string((*stop.select)[0]) + "," + std::to_string((*stop.select)[1]));
  if (stop.text_size > 0) parts.push_back("text " + std::to_string(stop.text_size) + " %");
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out.empty() ? "(stays where it is)" : out;
}

}  // namespace attnviz

#include "model/analysis/output.h"

#include "model/error.h"
#include "model/transformer.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>

namespace attnviz::analysis {

namespace {

void check_temperature(Scalar T) {
  if (!std::isfinite(T) || T <= 0) {
    std::ostringstream out;
    out << "temperature: " << T << " must be a finite number > 0";
    throw InputError(out.str());
  }
}

const Mat& named(const Trace& trace, const char* name) {
  const std::optional<TensorId> id = trace.find(name);
  if (!id) throw InputError(std::string("trace: no tensor named ") + name + "; run the model forward first");
  return trace.value(*id);
}

}  // namespace

Mat log_softmax_with_temperature(const Mat& Z, Scalar temperature) {
  check_temperature(temperature);
  Mat L(Z.rows(), Z.cols());
  for (Eigen::Index r = 0; r < Z.rows(); ++r) {
    const Scalar m = Z.row(r).maxCoeff() / temperature;
    const Scalar log_sum = std::log((Z.row(r).array() / temperature - m).exp().sum());
    L.row(r) = (Z.row(r).array() / temperature - m - log_sum).matrix();
  }
  return L;
}

Mat softmax_with_temperature(const Mat& Z, Scalar temperature) {
  check_temperature(temperature);
  Mat P(Z.rows(), Z.cols());
  for (Eigen::Index r = 0; r < Z.rows(); ++r) {
    const Scalar m = Z.row(r).maxCoeff() / temperature;
    P.row(r) = (Z.row(r).array() / temperature - m).exp().matrix();
    P.row(r) /= P.row(r).sum();
  }
  return P;
}

OutputDistribution output_distribution(const Trace& trace, Scalar temperature, int pad_id) {
  check_temperature(temperature);
  const Mat& Z = named(trace, names::logits);
  const Mat& targets = named(trace, names::tgt_out_tokens);
  OutputDistribution d;
  d.temperature = temperature;
  d.pad_id = pad_id;
  d.probs = softmax_with_temperature(Z, temperature);
  const Mat log_p = log_softmax_with_temperature(Z, temperature);
  d.loss = Mat::Zero(Z.rows(), 1);
  for (Eigen::Index t = 0; t < Z.rows(); ++t) {
    const int y = static_cast<int>(targets(t, 0));
    d.expected.push_back(y);
    if (y != pad_id) d.loss(t, 0) = -log_p(t, y);
  }
  return d;
}

std::vector<int> top_k(const Mat& probs, int row, int k) {
  if (row < 0 || row >= probs.rows())
    throw InputError("row: " + std::to_string(row) + " is outside [0, " + std::to_string(probs.rows()) + ")");
  if (k < 0) throw InputError("k: " + std::to_string(k) + " must not be negative");
  std::vector<int> ids(static_cast<std::size_t>(probs.cols()));
  std::iota(ids.begin(), ids.end(), 0);
  const std::size_t n = std::min(ids.size(), static_cast<std::size_t>(k));
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), ids.end(), [&](int a, int b) {
    return probs(row, a) > probs(row, b) || (probs(row, a) == probs(row, b) && a < b);
  });
  ids.resize(n);
  return ids;
}

}  // namespace attnviz::analysis

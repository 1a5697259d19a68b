#include "model/analysis/positional.h"

#include "model/error.h"
#include "model/ops.h"

#include <cmath>
#include <numbers>
#include <sstream>
#include <string>

namespace attnviz::analysis {

namespace {
std::string text(Scalar value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}
}  // namespace

void validate(const EncodingRequest& r) {
  if (r.max_len < 1 || r.max_len > max_explorer_len)
    throw InputError("max_len: " + std::to_string(r.max_len) + " must be in [1, " + std::to_string(max_explorer_len) +
                     "]");
  if (r.d_model < 2 || r.d_model > max_explorer_d_model || r.d_model % 2 != 0)
    throw InputError("d_model: " + std::to_string(r.d_model) + " must be even and in [2, " +
                     std::to_string(max_explorer_d_model) + "]");
  if (!std::isfinite(r.base) || r.base <= 0) throw InputError("base: " + text(r.base) + " must be a finite number > 0");
  if (r.layout == Positional::none)
    throw InputError("layout: none has no encoding to show; use interleaved or concatenated");
}

Mat encoding_matrix(const EncodingRequest& r) {
  validate(r);
  Mat PE;
  ops::positional_encoding(PE, r.layout, r.max_len, r.d_model, r.base);
  return PE;
}

int frequency_index(const EncodingRequest& r, int column) {
  validate(r);
  if (column < 0 || column >= r.d_model)
    throw InputError("column: " + std::to_string(column) + " is outside [0, " + std::to_string(r.d_model) + ")");
  return r.layout == Positional::interleaved ? column / 2 : column % (r.d_model / 2);
}

Scalar wavelength(const EncodingRequest& r, int column) {
  const int i = frequency_index(r, column);
  return 2 * std::numbers::pi * std::pow(r.base, 2.0 * i / r.d_model);
}

Mat similarity(const Mat& PE) {
  Mat S(PE.rows(), PE.rows());
  S.noalias() = PE * PE.transpose();
  return S;
}

}  // namespace attnviz::analysis

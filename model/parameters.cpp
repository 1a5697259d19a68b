#include "model/parameters.h"

#include <cmath>

namespace attnviz {

int Parameters::add(std::string name, Role role, int rows, int cols, Axis row_axis, Axis col_axis) {
  Tensor t;
  t.name = std::move(name);
  t.role = role;
  t.value = Mat::Zero(rows, cols);
  t.grad = Mat::Zero(rows, cols);
  t.rows = row_axis;
  t.cols = col_axis;
  index_.emplace(t.name, size());
  tensors_.push_back(std::move(t));
  return size() - 1;
}

std::optional<int> Parameters::find(std::string_view name) const {
  if (auto it = index_.find(std::string(name)); it != index_.end()) return it->second;
  return std::nullopt;
}

std::size_t Parameters::scalar_count() const {
  std::size_t n = 0;
  for (const Tensor& t : tensors_) n += static_cast<std::size_t>(t.value.size());
  return n;
}

// In parameter order, from one generator seeded with `seed`:
//   matrices (rows > 1): Glorot uniform, U(−a, a), a = √(6 / (rows + cols));
//   LayerNorm weight: 1;  every bias: 0.
void Parameters::initialise(std::uint64_t seed) {
  Random random(seed);
  for (Tensor& t : tensors_) {
    if (t.value.rows() > 1) {
      const double a = std::sqrt(6.0 / static_cast<double>(t.value.rows() + t.value.cols()));
      for (Eigen::Index i = 0; i < t.value.size(); ++i) t.value.data()[i] = random.uniform(-a, a);
    } else if (t.role == Role::norm_gain) {
      t.value.setOnes();
    } else {
      t.value.setZero();
    }
    t.grad.setZero(t.value.rows(), t.value.cols());
  }
}

Random::Random(std::uint64_t seed) : engine_(seed) {}

// The top 53 bits of one 64-bit draw, scaled to [0, 1).
double Random::uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

double Random::uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

}  // namespace attnviz

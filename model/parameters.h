#pragma once
// Named parameters in PyTorch's layout (nn.Linear weight is (out, in); bias, LayerNorm weight and
// bias are (1, d)), each with its gradient.

#include "model/tensor.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attnviz {

class Parameters {
 public:
  // Adds a zero-valued parameter with a zero gradient; returns its index.  `role`: weight,
  // bias, norm_gain, norm_shift or embedding_table.
  int add(std::string name, Role role, int rows, int cols, Axis row_axis = Axis::none, Axis col_axis = Axis::none);

  int size() const { return static_cast<int>(tensors_.size()); }
  Tensor& operator[](int i) { return tensors_[static_cast<std::size_t>(i)]; }
  const Tensor& operator[](int i) const { return tensors_[static_cast<std::size_t>(i)]; }
  std::optional<int> find(std::string_view name) const;
  std::size_t scalar_count() const;

  // Glorot-uniform for matrices (weights and embeddings), zero for biases, one for LayerNorm
  // gains; see "Initial weights" in README.md.  Deterministic for a seed on every platform.
  void initialise(std::uint64_t seed);

  auto begin() { return tensors_.begin(); }
  auto end() { return tensors_.end(); }
  auto begin() const { return tensors_.begin(); }
  auto end() const { return tensors_.end(); }

 private:
  std::vector<Tensor> tensors_;
  std::unordered_map<std::string, int> index_;
};

// Uniform doubles in [0, 1) from a 64-bit Mersenne twister, identical on every platform
// (std::uniform_real_distribution is implementation-defined).
class Random {
 public:
  explicit Random(std::uint64_t seed);
  double uniform();                      // [0, 1)
  double uniform(double lo, double hi);  // [lo, hi)
 private:
  std::mt19937_64 engine_;  // its output sequence is fixed by the standard
};

}  // namespace attnviz

#pragma once
// Uniform doubles from std::mt19937_64 with a conversion written out here, so a seed gives the
// same numbers with every standard library (std::uniform_real_distribution is
// implementation-defined).

#include <cstdint>
#include <random>

namespace attnviz::gradlab {

class SeededUniform {
 public:
  explicit SeededUniform(std::uint64_t seed) : engine_(seed) {}

  // [0, 1): the top 53 bits of one 64-bit draw, × 2⁻⁵³.
  double next01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // [low, high)
  double next(double low, double high) { return low + (high - low) * next01(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace attnviz::gradlab

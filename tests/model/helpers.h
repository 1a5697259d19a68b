#pragma once
// Shared by the model tests: small configs, random matrices, finite differences.

#include "model/error.h"
#include "model/transformer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

namespace attnviz::testing {

// The message of the InputError `f` throws, or "(accepted)".
inline std::string rejection(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(accepted)";
}

// PyTorch gradcheck's defaults: central differences, eps 1e-6, pass when
// |analytic − numeric| ≤ 1e-5 + 1e-3·|numeric|.
inline constexpr double fd_eps = 1e-6;
inline bool gradients_agree(double analytic, double numeric) {
  return std::abs(analytic - numeric) <= 1e-5 + 1e-3 * std::abs(numeric);
}

inline Mat random_mat(Random& random, int rows, int cols, double lo = -1, double hi = 1) {
  Mat m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = random.uniform(lo, hi);
  return m;
}

// ∂f/∂m[i] by central differences, for every element of m.
inline Mat numeric_gradient(Mat& m, const std::function<double()>& f) {
  Mat g(m.rows(), m.cols());
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const double saved = m.data()[i];
    m.data()[i] = saved + fd_eps;
    const double up = f();
    m.data()[i] = saved - fd_eps;
    const double down = f();
    m.data()[i] = saved;
    g.data()[i] = (up - down) / (2 * fd_eps);
  }
  return g;
}

// Element-wise gradcheck comparison; reports the first few mismatches with their position.
inline ::testing::AssertionResult same_gradient(const Mat& analytic, const Mat& numeric) {
  if (analytic.rows() != numeric.rows() || analytic.cols() != numeric.cols())
    return ::testing::AssertionFailure() << "shape " << analytic.rows() << "×" << analytic.cols()
                                         << " vs " << numeric.rows() << "×" << numeric.cols();
  int bad = 0;
  auto failure = ::testing::AssertionFailure();
  for (Eigen::Index r = 0; r < analytic.rows(); ++r)
    for (Eigen::Index c = 0; c < analytic.cols(); ++c)
      if (!gradients_agree(analytic(r, c), numeric(r, c)) && bad++ < 5)
        failure << "[" << r << "," << c << "] analytic " << analytic(r, c) << " numeric " << numeric(r, c) << "; ";
  if (bad) return failure << bad << " elements differ";
  return ::testing::AssertionSuccess();
}

// A model small enough to finite-difference every parameter.
inline Config tiny_config() {
  Config c;
  c.d_model = 8;
  c.heads = 2;
  c.encoder_layers = 2;
  c.decoder_layers = 2;
  c.d_ff = 12;
  c.src_vocab = 11;
  c.tgt_vocab = 9;
  c.max_len = 10;
  return c;
}

// src: 5 tokens (+ pad), tgt: 4 tokens (+ pad); pad id 0.
inline Example tiny_example(int pad = 0) {
  Example ex;
  ex.pad_id = 0;
  ex.src = {4, 7, 5, 10, 6};
  ex.tgt_in = {1, 5, 8, 4};
  ex.tgt_out = {5, 8, 4, 2};
  for (int i = 0; i < pad; ++i) {
    ex.src.push_back(0);
    ex.tgt_in.push_back(0);
    ex.tgt_out.push_back(0);
  }
  return ex;
}

// Gives every parameter (biases and LayerNorm gains too) a random non-trivial value, so no
// gradient is checked at a special point.
inline void randomise(Parameters& params, std::uint64_t seed, double scale = 0.5) {
  Random random(seed);
  for (Tensor& t : params)
    for (Eigen::Index i = 0; i < t.value.size(); ++i) t.value.data()[i] += random.uniform(-scale, scale);
}

}  // namespace attnviz::testing

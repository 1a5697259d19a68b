#pragma once
// Shared by the model tests: small configs, random matrices, finite differences.

#include "model/error.h"
#include "model/explain.h"
#include "model/transformer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
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

// The same shape and the same bits (NaN included).
inline bool same_bits(const Mat& a, const Mat& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<std::size_t>(a.size())) == 0);
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
    return ::testing::AssertionFailure() << "shape " << analytic.rows() << "×" << analytic.cols() << " vs "
                                         << numeric.rows() << "×" << numeric.cols();
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

// ∂L/∂θ of every parameter after one forward + backward on `example`, against central
// differences of the loss.
inline void expect_parameter_gradients_match_finite_differences(Transformer& model, const Example& example) {
  Trace trace;
  run_forward(model, example, trace);
  run_backward(trace);
  Trace probe;
  auto loss = [&] { return run_forward(model, example, probe); };
  for (Tensor& p : model.params()) {
    const Mat analytic = p.grad;
    EXPECT_TRUE(same_gradient(analytic, numeric_gradient(p.value, loss))) << p.name;
  }
}

// For three random elements of every input of every backward step of `t`: the chain rule's
// terms sum to the share of the gradient the step stored.  Returns how many were explained.
inline int expect_explanations_sum_to_stored(const Trace& t) {
  Random pick(9);
  int explained = 0;
  for (int s = t.forward_count(); s < t.step_count(); ++s) {
    const Step& b = t.step(s);
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      const Tensor& in = t.tensor(b.inputs[i]);
      if (!in.requires_grad) continue;
      for (int sample = 0; sample < 3; ++sample) {
        const int r = static_cast<int>(pick.uniform() * static_cast<double>(in.value.rows()));
        const int c = static_cast<int>(pick.uniform() * static_cast<double>(in.value.cols()));
        const Explanation e = explain(t, s, static_cast<int>(i), r, c);
        EXPECT_NEAR(e.sum, e.stored, 1e-12 + 1e-12 * std::abs(e.stored)) << b.label << " " << e.target;
        ++explained;
      }
    }
  }
  return explained;
}

}  // namespace attnviz::testing

// The positional-encoding explorer: worked example B, layouts, wavelengths, similarity.

#include "model/analysis/positional.h"
#include "model/error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>

namespace attnviz::analysis {
namespace {

// Example B of LESSONS.md: n = 4 positions, d = 8, base 10000, interleaved.
TEST(PositionalExplorer, WorkedExampleB) {
  const Mat PE = encoding_matrix({.max_len = 4, .d_model = 8});
  ASSERT_EQ(PE.rows(), 4);
  ASSERT_EQ(PE.cols(), 8);
  const double row0[8] = {0, 1, 0, 1, 0, 1, 0, 1};
  const double row1[8] = {0.8414710, 0.5403023, 0.09983342, 0.9950042, 0.009999833, 0.9999500, 0.0009999998, 0.9999995};
  for (int c = 0; c < 8; ++c) {
    EXPECT_NEAR(PE(0, c), row0[c], 1e-6) << "column " << c;
    EXPECT_NEAR(PE(1, c), row1[c], 1e-6) << "column " << c;
  }
}

// The concatenated layout holds the same numbers: interleaved column 2i is concatenated column
// i, and 2i+1 is d/2 + i.
TEST(PositionalExplorer, ConcatenatedIsInterleavedRearranged) {
  const int d = 64;
  const Mat inter = encoding_matrix({.max_len = 50, .d_model = d});
  const Mat concat = encoding_matrix({.max_len = 50, .d_model = d, .layout = Positional::concatenated});
  for (int i = 0; i < d / 2; ++i) {
    EXPECT_EQ((inter.col(2 * i) - concat.col(i)).cwiseAbs().maxCoeff(), 0) << i;
    EXPECT_EQ((inter.col(2 * i + 1) - concat.col(d / 2 + i)).cwiseAbs().maxCoeff(), 0) << i;
  }
}

// λ = 2π·base^(2i/d), and each column really repeats with that period: PE[p, sin column] =
// sin(2π·p/λ), PE[p, cos column] = cos(2π·p/λ).
TEST(PositionalExplorer, WavelengthIsTheColumnsPeriod) {
  for (Positional layout : {Positional::interleaved, Positional::concatenated}) {
    const EncodingRequest r{.max_len = 100, .d_model = 32, .base = 500, .layout = layout};
    const Mat PE = encoding_matrix(r);
    EXPECT_NEAR(wavelength(r, 0), 2 * std::numbers::pi, 1e-15);
    for (int c = 0; c < r.d_model; ++c) {
      const bool is_sine = layout == Positional::interleaved ? c % 2 == 0 : c < r.d_model / 2;
      const int i = layout == Positional::interleaved ? c / 2 : c % (r.d_model / 2);
      EXPECT_EQ(frequency_index(r, c), i);
      const double lambda = wavelength(r, c);
      EXPECT_NEAR(lambda, 2 * std::numbers::pi * std::pow(500.0, 2.0 * i / 32), 1e-9 * lambda);
      for (int p = 0; p < r.max_len; ++p) {
        const double angle = 2 * std::numbers::pi * p / lambda;
        EXPECT_NEAR(PE(p, c), is_sine ? std::sin(angle) : std::cos(angle), 1e-12) << "p " << p << " c " << c;
      }
    }
  }
}

// S = PE PEᵀ: S[p, p+k] is the same for every p (closeness depends on relative distance only),
// the diagonal is d/2, and S is symmetric.
TEST(PositionalExplorer, SimilarityDependsOnRelativeDistanceOnly) {
  for (Positional layout : {Positional::interleaved, Positional::concatenated}) {
    const EncodingRequest r{.max_len = 512, .d_model = 512, .layout = layout};
    const Mat S = similarity(encoding_matrix(r));
    ASSERT_EQ(S.rows(), 512);
    ASSERT_EQ(S.cols(), 512);
    double worst = 0;
    for (int k = 0; k < r.max_len; ++k)
      for (int p = 0; p + k < r.max_len; ++p) {
        worst = std::max(worst, std::abs(S(p, p + k) - S(0, k)));
        worst = std::max(worst, std::abs(S(p + k, p) - S(p, p + k)));
      }
    EXPECT_LE(worst, 1e-12);
    EXPECT_NEAR(S(7, 7), r.d_model / 2.0, 1e-12);
    EXPECT_LT(S(0, 1), S(0, 0));
  }
}

void expect_rejected(const EncodingRequest& r, const std::string& field, const std::string& value) {
  try {
    encoding_matrix(r);
    ADD_FAILURE() << field << " " << value << " was accepted";
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(field), std::string::npos) << message;
    EXPECT_NE(message.find(value), std::string::npos) << message;
  }
}

TEST(PositionalExplorer, RejectsBadSizesNamingFieldAndValue) {
  expect_rejected({.max_len = 0, .d_model = 8}, "max_len", "0");
  expect_rejected({.max_len = 513, .d_model = 8}, "max_len", "513");
  expect_rejected({.max_len = 4, .d_model = 7}, "d_model", "7");
  expect_rejected({.max_len = 4, .d_model = 514}, "d_model", "514");
  expect_rejected({.max_len = 4, .d_model = 0}, "d_model", "0");
  expect_rejected({.max_len = 4, .d_model = 8, .base = -2}, "base", "-2");
  expect_rejected({.max_len = 4, .d_model = 8, .base = INFINITY}, "base", "inf");
  expect_rejected({.max_len = 4, .d_model = 8, .layout = Positional::none}, "layout", "none");
  EXPECT_THROW(wavelength({.max_len = 4, .d_model = 8}, 8), InputError);
  EXPECT_THROW(wavelength({.max_len = 4, .d_model = 8}, -1), InputError);
}

}  // namespace
}  // namespace attnviz::analysis

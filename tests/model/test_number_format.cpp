#include "model/number_format.h"

#include <gtest/gtest.h>

#include <cmath>

namespace attnviz {
namespace {

TEST(NumberFormat, NonZeroValueNeverReadsAsZero) {
  EXPECT_EQ(format_value(1.03e-5, 4), "1e-05");
  EXPECT_EQ(format_value(-2.36e-5, 2), "−2.4e-05");
  EXPECT_EQ(format_value(0.0, 4), "0.0000");
  EXPECT_EQ(format_value(-0.0004, 2), "−0.0004");
  EXPECT_EQ(format_value(0.123, 3), "0.123");
  EXPECT_EQ(format_value(-1.2, 2), "−1.20");
}

TEST(NumberFormat, SmallMatrixSharesAPowerOfTen) {
  Mat g(2, 2);
  g << 6.57e-5, -1.03e-5, 2.0e-6, 0;
  const Notation n = notation_for(g);
  EXPECT_EQ(n.exponent, -5);
  EXPECT_EQ(n.scale_text(), "×10⁻⁵");
  EXPECT_EQ(n.format(g(0, 0)), "6.57");
  EXPECT_EQ(n.format(g(0, 1)), "−1.03");
  EXPECT_EQ(n.format(g(1, 0)), "0.20");
  EXPECT_EQ(n.format(g(1, 1)), "0.00");
  EXPECT_EQ(n.with_scale(g(0, 0)), "6.57×10⁻⁵");
}

TEST(NumberFormat, OrdinaryMatricesKeepFixedDecimals) {
  Mat a(1, 3);
  a << 0.1361, 0.4319, 0.4319;
  EXPECT_EQ(notation_for(a).exponent, 0);
  EXPECT_EQ(notation_for(a).format(a(0, 0)), "0.14");
  Mat small(1, 2);
  small << 0.065, 0.01;
  EXPECT_EQ(notation_for(small).format(small(0, 0)), "0.065");
  Mat ids(1, 2);
  ids << 3, 7;
  EXPECT_EQ(notation_for(ids).format(ids(0, 1)), "7");
}

TEST(NumberFormat, AxisTicksAreExact) {
  EXPECT_EQ(format_tick(0.75, 0.25), "0.75");
  EXPECT_EQ(format_tick(1.5, 0.5), "1.5");
  EXPECT_EQ(format_tick(2.0, 0.5), "2.0");
  EXPECT_EQ(format_tick(50, 25), "50");
  EXPECT_EQ(format_tick(1.0 / 3, 1.0 / 3).size(), 8u);
}

}  // namespace
}  // namespace attnviz

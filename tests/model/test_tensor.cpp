// The finite checks on raw bits: all_finite and max_abs.

#include "model/tensor.h"

#include <gtest/gtest.h>

#include <limits>

namespace attnviz {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

TEST(Tensor, MaxAbsIsTheLargestMagnitude) {
  Mat m(3, 5);
  m << 1, -2, 0.5, -0.0, 3, -7.25, 4, 1e-300, -1e-310, 2, 6, -6, 0, 1, 7;
  EXPECT_EQ(max_abs(m), 7.25);
  EXPECT_EQ(max_abs(Mat::Zero(2, 9)), 0.0);
  EXPECT_EQ(max_abs(Mat(0, 0)), 0.0);
  m(2, 4) = -std::numeric_limits<double>::max();
  EXPECT_EQ(max_abs(m), std::numeric_limits<double>::max());
}

TEST(Tensor, MaxAbsIsInfiniteWhereAnElementIsNot) {
  for (double bad : {inf, -inf, nan, -nan}) {
    for (Eigen::Index at : {0, 6, 10}) {  // in the first vector, the second, the tail
      Mat m = Mat::Constant(1, 11, 0.25);
      m(0, at) = bad;
      EXPECT_EQ(max_abs(m), inf) << bad << " at " << at;
      EXPECT_FALSE(all_finite(m)) << bad << " at " << at;
    }
  }
  EXPECT_TRUE(all_finite(Mat::Constant(1, 11, std::numeric_limits<double>::max())));
}

}  // namespace
}  // namespace attnviz

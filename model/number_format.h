#pragma once
// How numbers are written on screen and in the terminal: a true minus sign, and a non-zero value
// never written as zero.  A matrix chooses one notation for all its values: fixed decimals when
// its largest |v| reads with two significant digits in at most four decimals, otherwise a shared
// power of ten (values × 10⁵ printed, "×10⁻⁵" beside the matrix).

#include "model/tensor.h"

#include <string>

namespace attnviz {

// "0.123", "−1.20", "−∞": `decimals` after the point (3 significant digits from 1000 up); no
// "−0.00"; a non-zero value that would read as zero gets 2 significant digits ("3.4e-06").
std::string format_value(double value, int decimals = 2);
// "−0.0651", "3.39e-05": `digits` significant digits, a true minus sign.
std::string format_significant(double value, int digits = 3);

// A tick on an axis whose ticks are `step` apart, with as few decimals as show every tick exactly
// (0.75 with step 0.25 → "0.75", never "0.8"); at most 6 decimals.
std::string format_tick(double value, double step);

// One notation for every value of a matrix: v is printed as v / 10^exponent with `decimals`.
struct Notation {
  int decimals = 2;
  int exponent = 0;  // 0: plain fixed decimals

  std::string format(double value) const;      // one value, e.g. "6.57" for 6.57e-5 at exponent −5
  std::string scale_text() const;              // "×10⁻⁵", or "" when exponent is 0
  std::string with_scale(double value) const;  // "6.57×10⁻⁵"
};

// Integers (token ids, masks) without decimals; largest |v| ≥ 0.01: enough decimals (2–4) for two
// significant digits (0.065 → 3, 3.4 → 2); smaller: a shared power of ten, 2 decimals.
Notation notation_for(const Mat& values);
Notation notation_for_largest(double largest, bool integers = false);

}  // namespace attnviz

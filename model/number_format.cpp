#include "model/number_format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace attnviz {
namespace {

bool reads_as_zero(const char* text) { return std::strspn(text, "0.") == std::strlen(text); }

// "⁻⁵", "¹²": an integer in superscript digits.
std::string superscript(int n) {
  static const char* const digits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string text = n < 0 ? "⁻" : "";
  for (char c : std::to_string(std::abs(n))) text += digits[c - '0'];
  return text;
}

}  // namespace

std::string format_value(double value, int decimals) {
  if (std::isinf(value)) return value < 0 ? "−∞" : "+∞";
  if (std::isnan(value)) return "NaN";
  char buffer[32];
  const double magnitude = std::abs(value);
  if (magnitude >= 1000)
    std::snprintf(buffer, sizeof buffer, "%.3g", magnitude);
  else
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, magnitude);
  if (value != 0 && reads_as_zero(buffer)) return format_significant(value, 2);
  return (value < 0 && !reads_as_zero(buffer) ? "−" : "") + std::string(buffer);
}

std::string format_significant(double value, int digits) {
  if (!std::isfinite(value)) return format_value(value);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", digits, std::abs(value));
  return (value < 0 ? "−" : "") + std::string(buffer);
}

std::string format_tick(double value, double step) {
  int decimals = 0;
  const double size = std::abs(step);
  while (decimals < 6) {
    const double scaled = size * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) <= 1e-9 * std::max(1.0, scaled)) break;
    ++decimals;
  }
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::abs(value));
  return (value < 0 && !reads_as_zero(buffer) ? "−" : "") + std::string(buffer);
}

std::string Notation::format(double value) const {
  if (exponent == 0 || !std::isfinite(value)) return format_value(value, decimals);
  return format_value(value * std::pow(10.0, -exponent), decimals);
}

std::string Notation::scale_text() const { return exponent == 0 ? "" : "×10" + superscript(exponent); }

std::string Notation::with_scale(double value) const {
  if (exponent == 0 || value == 0 || !std::isfinite(value)) return format(value);
  return format(value) + scale_text();
}

Notation notation_for_largest(double largest, bool integers) {
  if (integers) return {0, 0};
  if (!(largest > 0) || !std::isfinite(largest)) return {2, 0};
  const int order = static_cast<int>(std::floor(std::log10(largest)));
  if (order >= -2) return {std::clamp(1 - order, 2, 4), 0};
  return {2, order};
}

Notation notation_for(const Mat& values) {
  double largest = 0;
  bool integers = true;
  for (Eigen::Index i = 0; i < values.size(); ++i) {
    const double v = values.data()[i];
    if (!std::isfinite(v)) continue;
    largest = std::max(largest, std::abs(v));
    integers = integers && v == std::floor(v);
  }
  return notation_for_largest(largest, integers && largest < 1e6);
}

}  // namespace attnviz

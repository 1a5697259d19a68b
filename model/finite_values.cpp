#include "model/finite_values.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace attnviz {

namespace {

// True when every element is finite or −∞, tested on the bits as all_finite is.
bool all_finite_or_masked(const Mat& m) {
  constexpr std::uint64_t exponent = 0x7ff0000000000000, minus_infinity = 0xfff0000000000000;
  bool bad = false;
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(m.data()[i]);
    bad |= (bits & exponent) == exponent && bits != minus_infinity;
  }
  return !bad;
}

// weights ⊂ finite ⊂ finite_or_masked: an input known as `have` is good where `need` is asked.
bool satisfies(Known have, Known need) {
  switch (need) {
    case Known::nothing: return true;
    case Known::finite: return have == Known::finite || have == Known::weights;
    case Known::finite_or_masked: return have != Known::nothing;
    case Known::weights: return have == Known::weights;
  }
  return false;
}

// No element of `m` is NaN or ±∞; with `masked`, −∞ is allowed (a masked score is −∞ by design).
bool finite(const Mat& m, bool masked) { return masked ? all_finite_or_masked(m) : all_finite_in_parts(m); }

}  // namespace

NonFinite first_non_finite(const Mat& m, TensorId id, bool masked) {
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      const Scalar v = m(r, c);
      if (std::isfinite(v) || (masked && v == -std::numeric_limits<Scalar>::infinity())) continue;
      return NonFinite{id, static_cast<int>(r), static_cast<int>(c), v};
    }
  return NonFinite{id, 0, 0, m.size() > 0 ? m(0, 0) : 0};
}

void ForwardFiniteness::note_given(TensorId id, const Mat& value) {
  known_.resize(static_cast<std::size_t>(id.index) + 1);
  known_[static_cast<std::size_t>(id.index)] = all_finite(value) ? Known::finite : Known::nothing;
}

// Its op keeps finite inputs finite (the op table's rule), and every input is an activation
// known as the rule asks.
bool ForwardFiniteness::surely_finite(const Step& s, const FiniteRule& rule) const {
  if (rule.keeps == FiniteRule::never) return false;
  if (rule.keeps == FiniteRule::when_c_at_most_1 && !(std::abs(s.args.c) <= 1)) return false;
  for (std::size_t i = 0; i < s.inputs.size(); ++i) {
    const TensorId id = s.inputs[i];
    if (id.kind != TensorId::activation) return false;
    if (!satisfies(known_[static_cast<std::size_t>(id.index)], i == 0 ? rule.first_input : Known::finite)) return false;
  }
  return true;
}

void ForwardFiniteness::check(const Trace& trace, Step& s) {
  cover(trace);
  check_covered(trace, s);
}

void ForwardFiniteness::check_covered(const Trace& trace, Step& s) {
  const FiniteRule& rule = op_info(s.op).finite;
  const bool surely = surely_finite(s, rule);
  for (TensorId id : s.outputs) known_[static_cast<std::size_t>(id.index)] = rule.output;
  if (surely) return;
  const bool masked = rule.output == Known::finite_or_masked;
  for (TensorId id : s.outputs) {
    if (finite(trace.value(id), masked)) continue;
    s.non_finite = first_non_finite(trace.value(id), id, masked);
    for (TensorId out : s.outputs) known_[static_cast<std::size_t>(out.index)] = Known::nothing;
    return;
  }
}

}  // namespace attnviz

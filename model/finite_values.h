#pragma once
// Where a run's numbers stop being finite: each step keeps the first NaN or ±∞ it produced,
// forward (in its outputs) and backward (in the gradient shares it wrote).  Values that are
// finite by construction are not read: the op table says which outputs are, given what is
// known of the inputs; a linear layer's fresh weight gradients are bounded from dY and X.

#include "model/row_parts.h"
#include "model/trace.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace attnviz {

// What the recorder knows of each activation of a forward run.
class ForwardFiniteness {
 public:
  void reserve(std::size_t tensors) { known_.reserve(tensors); }
  // A tensor given from outside the run (token ids, a mask, an input): read once.
  void note_given(TensorId id, const Mat& value);
  // Sets s.non_finite to the first NaN or ±∞ among its outputs, unless they are surely finite.
  void check(const Trace& trace, Step& s);
  // Makes room for every tensor the trace holds now.
  void cover(const Trace& trace) { known_.resize(static_cast<std::size_t>(trace.tensor_count())); }
  // check(), of a step whose tensors are covered: steps of other tensors may be checked on other
  // threads at the same time.
  void check_covered(const Trace& trace, Step& s);

 private:
  bool surely_finite(const Step& s, const FiniteRule& rule) const;
  std::vector<Known> known_;  // per activation
};

// The first element of `m` that is NaN or ±∞, row by row, where a scan found one; with
// `masked`, −∞ is not counted (a masked score is −∞ by design).
NonFinite first_non_finite(const Mat& m, TensorId id, bool masked);

// max_abs(m), ranges of rows on the threads when m is large (model/row_parts.h): the largest of
// the ranges' maxima, whichever thread finds which.
inline Scalar max_abs_in_parts(const Mat& m) {
  if (row_part_count(m.rows(), m.cols()) == 1) return max_abs(m);
  std::atomic<std::uint64_t> largest{0};  // the bits of the largest |x|, which order as the values do
  for_row_parts(m.rows(), m.cols(), [&](Eigen::Index begin, Eigen::Index end) {
    const auto bits = std::bit_cast<std::uint64_t>(max_abs(m.data() + begin * m.cols(), (end - begin) * m.cols()));
    std::uint64_t seen = largest.load(std::memory_order_relaxed);
    while (bits > seen && !largest.compare_exchange_weak(seen, bits, std::memory_order_relaxed)) {}
  });
  return std::bit_cast<Scalar>(largest.load(std::memory_order_relaxed));
}

// A linear step's freshly written dW = dYᵀ X and db = Σₜ dY[t,:] are finite, without reading
// them, when dY and X are finite and no sum of T terms can overflow:
// |dW[o,i]| ≤ T·max|dY|·max|X| and |db[o]| ≤ T·max|dY|.
inline bool linear_weight_grads_finite(const Mat& dY, const Mat& X) {
  if (dY.size() == 0 || X.size() == 0) return false;
  // max_abs is +∞ where an element is not finite, and then so is the bound
  const Scalar bound = static_cast<Scalar>(dY.rows()) * max_abs_in_parts(dY) * std::max<Scalar>(1, max_abs_in_parts(X));
  return bound < std::numeric_limits<Scalar>::max() / 4;
}

// all_finite(m), ranges of rows on the threads when m is large (model/row_parts.h).
inline bool all_finite_in_parts(const Mat& m) {
  if (row_part_count(m.rows(), m.cols()) == 1) return all_finite(m);
  std::atomic<bool> finite{true};
  for_row_parts(m.rows(), m.cols(), [&](Eigen::Index begin, Eigen::Index end) {
    if (!all_finite(m.data() + begin * m.cols(), (end - begin) * m.cols()))
      finite.store(false, std::memory_order_relaxed);
  });
  return finite.load(std::memory_order_relaxed);
}

// Sets b.non_finite to the first NaN or ±∞ among the gradient shares backward step `b` wrote,
// one per input (Trace::share), or to none; its parameters' shares are skipped when
// `params_finite`.  Inline: run_backward calls it for every step.  (Set in place: a returned
// optional, written as a byte and read back as a whole, stalls every step.)
inline void find_non_finite_share(const Trace& trace, Step& b, bool params_finite) {
  b.non_finite.reset();
  for (std::size_t i = 0; i < b.inputs.size(); ++i) {
    if (params_finite && b.inputs[i].kind == TensorId::parameter) continue;
    const Mat& share = trace.share(b, i);
    const std::optional<Columns> nonzero = Trace::share_columns(b, i);
    const bool finite = nonzero ? all_finite(share, *nonzero) : all_finite_in_parts(share);
    if (!finite) {
      b.non_finite = first_non_finite(share, b.inputs[i], false);
      return;
    }
  }
}

}  // namespace attnviz

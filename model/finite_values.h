#pragma once
// Where a run's numbers stop being finite: each step keeps the first NaN or ±∞ it produced,
// forward (in its outputs) and backward (in the gradient shares it wrote).  Values that are
// finite by construction are not read: the op table says which outputs are, given what is
// known of the inputs; a linear layer's fresh weight gradients are bounded from dY and X.

#include "model/trace.h"

#include <optional>
#include <vector>

namespace attnviz {

// The first element of `m` that is NaN or ±∞, row by row; with `masked`, −∞ is not counted
// (a masked score is −∞ by design).
std::optional<NonFinite> first_non_finite(const Mat& m, TensorId id, bool masked = false);

// What the recorder knows of each activation of a forward run.
class ForwardFiniteness {
 public:
  void reserve(std::size_t tensors) { known_.reserve(tensors); }
  // A tensor given from outside the run (token ids, a mask, an input): read once.
  void note_given(TensorId id, const Mat& value);
  // Sets s.non_finite to the first NaN or ±∞ among its outputs, unless they are surely finite.
  void check(const Trace& trace, Step& s);

 private:
  bool surely_finite(const Step& s) const;
  std::vector<Known> known_;  // per activation
};

// A linear step's freshly written dW = dYᵀ X and db = Σₜ dY[t,:] are finite, without reading
// them, when dY and X are finite and no sum of T terms can overflow:
// |dW[o,i]| ≤ T·max|dY|·max|X| and |db[o]| ≤ T·max|dY|.
bool linear_weight_grads_finite(const Mat& dY, const Mat& X);

// The first NaN or ±∞ among the gradient shares backward step `b` wrote, one per input
// (Trace::share); its parameters' shares are skipped when `params_finite`.
std::optional<NonFinite> first_non_finite_share(const Trace& trace, const Step& b, bool params_finite);

}  // namespace attnviz

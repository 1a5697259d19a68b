#pragma once
// The chain rule of one gradient element, with real numbers:
//   ∂L/∂X[r,c] (this step's share) = Σₖ upstreamₖ · localₖ
// where upstreamₖ = ∂L/∂Y[·] of an output element and localₖ = ∂Y[·]/∂X[r,c].
// The terms sum to the gradient share the backward step stored (tested for every step).

#include "model/trace.h"

#include <optional>
#include <string>
#include <vector>

namespace attnviz {

struct Element {
  TensorId tensor;
  int row = -1, col = -1;
};

struct Term {
  Scalar upstream = 0;                   // ∂L/∂Y at `upstream_at`
  Scalar local = 0;                      // ∂Y[upstream_at] / ∂X[r,c]
  Element upstream_at;                   // the output element the gradient flows back from
  std::optional<Element> local_at;       // the forward value the local factor is, when it is one
  std::string local_text;                // how the local factor is made, e.g. "W[5,3]", "A(δ − A)"
  std::vector<std::string> local_words;  // when local_text is a format (N_, "%s"): its words, in order
                                         // (fill_format, model/error.h; the views translate it)
  Scalar product() const { return upstream * local; }
};

struct Explanation {
  std::string target;  // "∂L/∂X[2,3]"
  std::string rule;    // the formula being applied, in words and symbols
  std::vector<Term> terms;
  Scalar sum = 0;         // Σ upstream × local
  Scalar stored = 0;      // the share of ∂L/∂X[r,c] this step stored
  bool is_share = false;  // X is read by several steps: `stored` is this step's share only
};

// ∂L/∂X[r,c] of an activation X read by several forward steps, split by reader: each reader's
// backward step adds its share, and the shares sum to the stored gradient
//   ∂L/∂X[r,c] = Σ_readers share_reader[r,c].
struct Share {
  int step = -1;  // the backward step that stored this share
  int input = 0;  // which of its inputs X is
  Scalar value = 0;
};
struct GradientShares {
  std::vector<Share> shares;  // in backward order
  Scalar sum = 0;             // Σ shares
  Scalar stored = 0;          // ∂L/∂X[r,c] as the trace holds it
};
// Throws std::out_of_range for an element that does not exist or a tensor without gradient.
GradientShares gradient_shares(const Trace& trace, TensorId tensor, int row, int col);

// `step` must be a backward step; `input` indexes its inputs.  Throws std::out_of_range for a
// step, input or element that does not exist, and for an input that takes no gradient.
Explanation explain(const Trace& trace, int step, int input, int row, int col);

// How one output element of a forward step was computed: Σₖ aₖ · bₖ (+ a constant), e.g. a
// score S[i,j] = Σₖ Q[i,k] · K[j,k].  Terms reuse Term: upstream = aₖ, local = bₖ.
struct ForwardExplanation {
  std::string target;  // "S[1,2]"
  std::string rule;
  std::vector<Term> terms;               // the products; empty for element-wise ops
  Scalar constant = 0;                   // bias or other addend
  std::string after;                     // a last step in words, e.g. "÷ √d_k", "exp(·)/Σ"; may be empty
  std::vector<std::string> after_words;  // when `after` is a format: its words, as local_words
  Scalar value = 0;                      // the output element as recorded
};
ForwardExplanation explain_forward(const Trace& trace, int step, int output, int row, int col);

}  // namespace attnviz

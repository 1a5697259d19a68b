#pragma once
// The operations of the Transformer, one row each: what an op is, as data — its name, its
// title, its formulas, its two plain sentences, how its output is known to be finite — and the
// functions that explain it and count its work: its chain-rule terms, its forward terms and the
// flops of its products.  What an op computes is code: its forward/backward pair in ops.h,
// called by the Recorder (forward) and by run_backward (backward).  See "To add an op" in
// model/README.md.

#include <array>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace attnviz {

enum class Phase : std::uint8_t { forward, backward };

enum class OpKind : std::uint8_t {
  embedding,        // Y[t] = W[id_t]
  scale,            // Y = c·X
  add_positional,   // Y = X + PE
  linear,           // Y = X Wᵀ + b
  split_head,       // Y = X[:, h·d_k : (h+1)·d_k]
  concat_heads,     // Y = [X_0 | X_1 | … | X_{H−1}]
  scores,           // S = Q Kᵀ
  mask,             // Y = X where M = 1, −∞ where M = 0
  softmax,          // A[i,:] = softmax(S[i,:])
  weighted_sum,     // O = A V
  add,              // Y = A + B (residual)
  layer_norm,       // Y = γ ⊙ (X − μ)/σ + β, per row
  relu,             // Y = max(0, X)
  gelu,             // Y = X Φ(X)
  cross_entropy,    // L = mean over non-pad rows of −log softmax(Z)[t, y_t]
  sum,              // L = Σᵢⱼ Y[i,j] (a loss without targets: worked example A)
  stack_rows,       // Y = [X_0; X_1; …] (the states of every time step as one matrix)
  tanh,             // Y = tanh(X)
  gru_cell,         // H' = (1 − z) ⊙ n + z ⊙ H, one time step of a GRU
  additive_scores,  // E[i,j] = vᵀ tanh(W_s s_i + k_j), k_j = W_h h_j + b (Bahdanau)
  count             // not an op: the number of ops, the op table's length
};

// What is known of a tensor's elements without reading them.
enum class Known : std::uint8_t {
  nothing,           // not known: read it
  finite,            // no NaN or ±∞
  finite_or_masked,  // none but a mask's −∞
  weights,           // softmax weights: finite, in [0, 1], each row summing to 1 (or 0, fully masked)
};

// When an op's output is finite by construction, so the recorder need not read it.
struct FiniteRule {
  enum Keeps : std::uint8_t {
    never,             // read after every run
    always,            // finite when its inputs are known as below: a copy, a mask, a softmax, a ReLU
    when_c_at_most_1,  // a scaling by |c| ≤ 1
  };
  Keeps keeps = never;
  Known first_input = Known::finite;  // what input 0 must be known to be (the others: finite)
  Known output = Known::finite;       // what a finite output is known to be
  // Backward: the gradient shares are finite when ∂L/∂output is (its values copied or zeroed, a
  // ReLU's, a mask's; scaled by |c| ≤ 1), so run_backward need not read them.
  Keeps backward = never;
};

class Trace;
struct Step;
class GradientElement;
class OutputElement;

// The terms of the chain rule of one element of a backward step's input gradient (op_terms.h,
// chain_terms.cpp).  Every op has one.
using ChainTerms = void (*)(GradientElement& dx);
// How one element of a forward step's output was computed (op_terms.h, forward_terms.cpp);
// elementwise_forward_terms for an op with no products worth showing.
using ForwardTerms = void (*)(OutputElement& y);
// The flops of a forward step's matrix products (flops.h, product_flops.cpp); no_products for
// an op without any.
using ProductFlops = std::uint64_t (*)(const Trace& trace, const Step& step);

struct OpInfo {
  OpKind op;
  const char* name;                  // "layer_norm": the trace's JSON, the terminal walk-through
  const char* title;                 // "Layer norm": the step list and the step detail
  std::string_view forward_formula;  // a forward step's, unless the model gives a closer one
  std::string_view backward_formula;
  std::string_view forward_sentence;   // what the op does and why
  std::string_view backward_sentence;  // how its gradient flows
  FiniteRule finite;
  ChainTerms chain_terms;      // each of these three is set in every row: "none" is a
  ForwardTerms forward_terms;  // function of its own (elementwise_forward_terms,
  ProductFlops product_flops;  // no_products), never nullptr (OpTable.EveryOpHasAFullRow)
};

// The rows, indexed by OpKind (op_table.cpp).
extern const std::array<OpInfo, static_cast<std::size_t>(OpKind::count)> op_table;

// The row of `op`; throws std::out_of_range for OpKind::count.  Inline: the recorder reads it
// for every step.
inline const OpInfo& op_info(OpKind op) {
  const auto i = static_cast<std::size_t>(op);
  if (i >= op_table.size()) throw std::out_of_range("op_info: not an op");
  return op_table[i];
}
const char* to_string(OpKind op);
const char* to_string(Phase phase);

// One plain sentence on what the op does (forward) or how its gradient flows (backward): the
// step detail panel and the terminal walk-through.
std::string_view describe(OpKind op, Phase phase);

}  // namespace attnviz

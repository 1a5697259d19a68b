#pragma once
// An op's explanation, term by term with the run's numbers, as two columns of its row in
// op_table.cpp: its chain-rule terms (chain_terms.cpp), how one element of its input's gradient
// is made, and its forward terms (forward_terms.cpp), how one element of its output was
// computed.  explain() and explain_forward() (explain.h) call them through the table.

#include "model/explain.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnviz {

// The pieces one after another, appended: written so rather than as "W" + std::string, where
// GCC 12 warns, wrongly, of an overlapping copy (-Wrestrict).
template <class... Pieces>
std::string cat(const Pieces&... pieces) {
  std::string text;
  (text.append(std::string_view(pieces)), ...);
  return text;
}

// "[r,c]"
std::string at(int r, int c);

// ∂L/∂X[r,c] of a backward step's input X (its input `input`), as a sum of terms
//   upstreamₖ · localₖ,  upstreamₖ = ∂L/∂Y[·] of an output element,  localₖ = ∂Y[·]/∂X[r,c],
// which the op's chain-terms function adds one by one.
class GradientElement {
 public:
  GradientElement(const Trace& trace, const Step& backward, std::size_t input_index, int row, int col)
      : input(input_index), r(row), c(col), trace_(trace), step_(backward) {}

  const std::size_t input;  // which of the step's inputs X is
  const int r, c;           // the element of X

  const Step& step() const { return step_; }
  const Mat& x(std::size_t i) const { return trace_.value(step_.inputs[i]); }       // forward input i
  const Mat& y(std::size_t o = 0) const { return trace_.value(step_.outputs[o]); }  // forward output o
  const Mat& dy() const { return trace_.grad(step_.outputs[0]); }                   // ∂L/∂Y
  const Mat& saved() const { return trace_.step(step_.twin).saved; }                // the forward's statistics
  Element in(std::size_t i, int row, int col) const { return {step_.inputs[i], row, col}; }
  Element out(std::size_t o, int row, int col) const { return {step_.outputs[o], row, col}; }

  // Adds the term ∂L/∂Y_o[ur,uc] · local, o = `output`; `text` says how `local` is made, and
  // `local_at` is the forward value it is, when it is one.
  Term& add(int ur, int uc, Scalar local, std::string text, std::optional<Element> local_at = std::nullopt,
            std::size_t output = 0);

  std::vector<Term> terms;

 private:
  const Trace& trace_;
  const Step& step_;
};

// Y[r,c] of a forward step's output Y (its output `output`), as Σₖ aₖ · bₖ + a constant and a
// last step in words, which the op's forward-terms function writes into `explanation`.
class OutputElement {
 public:
  OutputElement(const Trace& trace, const Step& forward, std::size_t output, int row, int col,
                ForwardExplanation& explanation)
      : explanation(explanation), r(row), c(col), trace_(trace), step_(forward), output_(output) {}

  ForwardExplanation& explanation;
  const int r, c;  // the element of Y

  const Step& step() const { return step_; }
  const Mat& x(std::size_t i) const { return trace_.value(step_.inputs[i]); }  // input i
  const Mat& y() const { return trace_.value(step_.outputs[output_]); }        // Y
  Element in(std::size_t i, int row, int col) const { return {step_.inputs[i], row, col}; }

  // Adds the term a · b, shown as `text`.
  void product(Scalar a, Element a_at, Scalar b, std::optional<Element> b_at, std::string text) {
    explanation.terms.push_back({a, b, a_at, b_at, std::move(text), {}});
  }

 private:
  const Trace& trace_;
  const Step& step_;
  std::size_t output_;
};

// ---- chain terms (chain_terms.cpp): every op has one ----
void embedding_chain_terms(GradientElement& dx);
void scale_chain_terms(GradientElement& dx);
void copy_chain_terms(GradientElement& dx);  // Y = X (+ anything without X): add_positional, add
void split_head_chain_terms(GradientElement& dx);
void concat_heads_chain_terms(GradientElement& dx);
void stack_rows_chain_terms(GradientElement& dx);
void sum_chain_terms(GradientElement& dx);
void mask_chain_terms(GradientElement& dx);
void linear_chain_terms(GradientElement& dx);
void scores_chain_terms(GradientElement& dx);
void weighted_sum_chain_terms(GradientElement& dx);
void relu_chain_terms(GradientElement& dx);
void gelu_chain_terms(GradientElement& dx);
void tanh_chain_terms(GradientElement& dx);
void softmax_chain_terms(GradientElement& dx);
void layer_norm_chain_terms(GradientElement& dx);
void cross_entropy_chain_terms(GradientElement& dx);
void gru_cell_chain_terms(GradientElement& dx);
void additive_scores_chain_terms(GradientElement& dx);

// ---- forward terms (forward_terms.cpp) ----
// An op whose output element is no sum of products worth showing: "element-wise: <formula>".
void elementwise_forward_terms(OutputElement& y);
void linear_forward_terms(OutputElement& y);
void scores_forward_terms(OutputElement& y);
void weighted_sum_forward_terms(OutputElement& y);
void scale_forward_terms(OutputElement& y);
void softmax_forward_terms(OutputElement& y);
void sum_forward_terms(OutputElement& y);
void mask_forward_terms(OutputElement& y);
void gelu_forward_terms(OutputElement& y);
void additive_scores_forward_terms(OutputElement& y);
void gru_cell_forward_terms(OutputElement& y);

}  // namespace attnviz

// The forward terms of each op, the `forward_terms` column of its row (op_table.cpp): how one
// output element Y[r,c] was computed, as Σₖ aₖ · bₖ (+ a constant) and a last step in words.
// An op with no products worth showing points at elementwise_forward_terms.

#include "model/op_terms.h"
#include "model/ops.h"
#include "model/translatable.h"

#include <cmath>
#include <string>

namespace attnviz {

void elementwise_forward_terms(OutputElement& y) {
  y.explanation.after = N_("element-wise: %s");
  y.explanation.after_words = {std::string(y.step().formula)};
}

// ---- matrix products ----

namespace {

// Y[r,c] = Σₖ A[r,k] B[c,k], A (m, k) input 0, B (n, k) input 1, named `a` and `b` in the terms
void product_with_transpose_terms(OutputElement& y, const char* a, const char* b) {
  const int r = y.r, c = y.c;
  for (int k = 0; k < y.x(0).cols(); ++k)
    y.product(y.x(0)(r, k), y.in(0, r, k), y.x(1)(c, k), y.in(1, c, k), cat(a, at(r, k), " · ", b, at(c, k)));
}

}  // namespace

// Y[r,c] = Σₖ X[r,k] W[c,k] + b[c],  X (T, in), W (out, in)
void linear_forward_terms(OutputElement& y) {
  product_with_transpose_terms(y, "X", "W");
  y.explanation.constant = y.x(2)(0, y.c);
}

// S[r,c] = Σₖ Q[r,k] K[c,k],  Q (T_q, d), K (T_k, d)
void scores_forward_terms(OutputElement& y) { product_with_transpose_terms(y, "Q", "K"); }

// O[r,c] = Σₖ A[r,k] V[k,c],  A (T_q, T_k), V (T_k, d)
void weighted_sum_forward_terms(OutputElement& y) {
  const int r = y.r, c = y.c;
  for (int k = 0; k < y.x(0).cols(); ++k)
    y.product(y.x(0)(r, k), y.in(0, r, k), y.x(1)(k, c), y.in(1, k, c), cat("A", at(r, k), " · V", at(k, c)));
}

// Y[r,c] = X[r,c] · c
void scale_forward_terms(OutputElement& y) {
  const int r = y.r, c = y.c;
  y.product(y.x(0)(r, c), y.in(0, r, c), y.step().args.c, y.in(0, r, c), cat("X", at(r, c), " · c"));
}

// L = Σᵢⱼ Y[i,j] · 1
void sum_forward_terms(OutputElement& y) {
  const Mat& Y = y.x(0);
  for (int i = 0; i < Y.rows(); ++i)
    for (int j = 0; j < Y.cols(); ++j) y.product(Y(i, j), y.in(0, i, j), 1, std::nullopt, cat("Y", at(i, j), " · 1"));
}

// ---- element-wise, with a word on the step ----

// A[r,c] = exp(S[r,c] − max) / Σₖ exp(S[r,k] − max), max over row r; a row of −∞ gives 0
void softmax_forward_terms(OutputElement& y) {
  const int r = y.r, c = y.c;
  const Mat& S = y.x(0);
  const Scalar m = S.row(r).maxCoeff();
  if (std::isinf(m)) {
    y.explanation.after = N_("every key masked: weight 0");
    return;
  }
  Scalar denom = 0;
  for (int k = 0; k < S.cols(); ++k) denom += std::exp(S(r, k) - m);
  y.explanation.after = cat("exp(S", at(r, c), " − max) / Σₖ exp(S[", std::to_string(r),
                            ",k] − max) = ", std::to_string(std::exp(S(r, c) - m)), " / ", std::to_string(denom));
}

// S'[r,c] = S[r,c] where M = 1, −∞ where M = 0
void mask_forward_terms(OutputElement& y) {
  y.explanation.after = y.x(1)(y.r, y.c) != 0 ? N_("M = 1: the score is kept") : N_("M = 0: the score becomes −∞");
}

// Y[r,c] = X[r,c] · Φ(X[r,c])
void gelu_forward_terms(OutputElement& y) {
  const int r = y.r, c = y.c;
  const Scalar x = y.x(0)(r, c);
  y.product(x, y.in(0, r, c), ops::normal_cdf(x), std::nullopt, cat("X", at(r, c), " · Φ(X", at(r, c), ")"));
}

// ---- Bahdanau's scores and the GRU cell, from what their forward saved ----

// E[r,c] = Σₖ v[k] · tanh(W_s s_r + k_c)[k]; the tanh rows saved, row r·T_k + c.  Inputs S, K, W_s, v.
void additive_scores_forward_terms(OutputElement& y) {
  const int r = y.r, c = y.c;
  const Mat& t = y.step().saved;
  const Mat& v = y.x(3);
  const int T_k = static_cast<int>(y.x(1).rows());
  for (int k = 0; k < v.cols(); ++k)
    y.product(v(0, k), y.in(3, 0, k), t(r * T_k + c, k), std::nullopt,
              cat("v", at(0, k), " · tanh(W_s s + k)", at(r * T_k + c, k)));
}

// H'[r,c] = (1 − z) n + z H, with the gates r, z, n saved side by side, (B, 3d).  Inputs X, H, …
void gru_cell_forward_terms(OutputElement& y) {
  const int r = y.r, c = y.c;
  const Mat& g = y.step().saved;
  const int d = static_cast<int>(y.y().cols());
  const Scalar z = g(r, d + c), n = g(r, 2 * d + c);
  y.product(1 - z, y.in(1, r, c), n, std::nullopt, "(1 − z) · n");
  y.product(z, y.in(1, r, c), y.x(1)(r, c), y.in(1, r, c), cat("z · H", at(r, c)));
  y.explanation.after = cat("r = ", std::to_string(g(r, c)), ", z = ", std::to_string(z), ", n = ", std::to_string(n));
}

}  // namespace attnviz

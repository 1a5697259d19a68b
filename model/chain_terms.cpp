// The chain-rule terms of each op, the `chain_terms` column of its row (op_table.cpp):
//   ∂L/∂X[r,c] (this step's share) = Σₖ ∂L/∂Y[·]ₖ · ∂Y[·]ₖ/∂X[r,c]
// with r, c the element asked for, `dx.input` which input X is.  The terms sum to the share the
// op's backward in ops.cpp stored (tested for every step of every model).

#include "model/op_terms.h"
#include "model/ops.h"
#include "model/translatable.h"

#include <string>

namespace attnviz {

// ---- copies, constants and sums: each output element takes one input element, or all ----

// E[t] = W[id_t]:  ∂L/∂W[r,c] = Σ_{t: id_t = r} ∂L/∂E[t,c] · 1
void embedding_chain_terms(GradientElement& dx) {
  const Mat& ids = dx.x(0);
  for (int t = 0; t < ids.rows(); ++t)
    if (static_cast<int>(ids(t, 0)) == dx.r)
      dx.add(t, dx.c, 1, N_("1 (token %s has id %s)")).local_words = {std::to_string(t), std::to_string(dx.r)};
}

// Y = c·X:  ∂L/∂X[r,c] = ∂L/∂Y[r,c] · c
void scale_chain_terms(GradientElement& dx) { dx.add(dx.r, dx.c, dx.step().args.c, "c"); }

// Y = X + PE, Y = A + B:  ∂L/∂X[r,c] = ∂L/∂Y[r,c] · 1
void copy_chain_terms(GradientElement& dx) { dx.add(dx.r, dx.c, 1, "1"); }

// Y = X[:, h·d_k : (h+1)·d_k]:  ∂L/∂X[r,c] = ∂L/∂Y[r, c − h·d_k] · 1 inside head h's slice, else 0
void split_head_chain_terms(GradientElement& dx) {
  const int d_k = dx.step().args.d_k, lo = dx.step().where.head * d_k;
  if (dx.c >= lo && dx.c < lo + d_k) dx.add(dx.r, dx.c - lo, 1, "1");
}

// H = [O₀ | O₁ | …]:  ∂L/∂O_h[r,c] = ∂L/∂H[r, h·d_k + c] · 1
void concat_heads_chain_terms(GradientElement& dx) {
  dx.add(dx.r, static_cast<int>(dx.input) * dx.step().args.d_k + dx.c, 1, "1");
}

// H = [h_0; h_1; …]:  ∂L/∂h_t[0,c] = ∂L/∂H[t,c] · 1
void stack_rows_chain_terms(GradientElement& dx) { dx.add(static_cast<int>(dx.input), dx.c, 1, "1"); }

// L = Σᵢⱼ Y[i,j]:  ∂L/∂Y[r,c] = ∂L/∂L · 1
void sum_chain_terms(GradientElement& dx) { dx.add(0, 0, 1, "1"); }

// S'[r,c] = S[r,c] where M = 1, −∞ where M = 0:  ∂L/∂S[r,c] = ∂L/∂S'[r,c] · M[r,c]
void mask_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  const Scalar m = dx.x(1)(r, c);
  dx.add(r, c, m, m != 0 ? N_("M = 1 (kept)") : N_("M = 0 (masked)"), dx.in(1, r, c));
}

// ---- matrix products: a sum over the shared index ----

namespace {

// Y = A Bᵀ, A (m, k) input 0, B (n, k) input 1, named `a` and `b` in the terms:
//   ∂L/∂A[r,c] = Σⱼ ∂L/∂Y[r,j] · B[j,c],  ∂L/∂B[r,c] = Σᵢ ∂L/∂Y[i,r] · A[i,c]
void product_with_transpose_terms(GradientElement& dx, const char* a, const char* b) {
  const int r = dx.r, c = dx.c;
  if (dx.input == 0) {
    for (int j = 0; j < dx.x(1).rows(); ++j) dx.add(r, j, dx.x(1)(j, c), cat(b, at(j, c)), dx.in(1, j, c));
  } else {
    for (int i = 0; i < dx.x(0).rows(); ++i) dx.add(i, r, dx.x(0)(i, c), cat(a, at(i, c)), dx.in(0, i, c));
  }
}

}  // namespace

// Y = X Wᵀ + b, X (T, in), W (out, in), b (1, out): X and W as a product; ∂L/∂b[c] = Σₜ ∂L/∂Y[t,c] · 1
void linear_chain_terms(GradientElement& dx) {
  if (dx.input < 2) {
    product_with_transpose_terms(dx, "X", "W");
    return;
  }
  for (int t = 0; t < dx.dy().rows(); ++t) dx.add(t, dx.c, 1, "1");
}

// S = Q Kᵀ, Q (T_q, d), K (T_k, d)
void scores_chain_terms(GradientElement& dx) { product_with_transpose_terms(dx, "Q", "K"); }

// O = A V, A (T_q, T_k), V (T_k, d)
void weighted_sum_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  if (dx.input == 0) {  // ∂L/∂A[r,c] = Σₖ ∂L/∂O[r,k] · V[c,k]
    for (int k = 0; k < dx.x(1).cols(); ++k) dx.add(r, k, dx.x(1)(c, k), cat("V", at(c, k)), dx.in(1, c, k));
  } else {  // ∂L/∂V[r,c] = Σᵢ ∂L/∂O[i,c] · A[i,r]
    for (int i = 0; i < dx.x(0).rows(); ++i) dx.add(i, c, dx.x(0)(i, r), cat("A", at(i, r)), dx.in(0, i, r));
  }
}

// ---- element-wise non-linearities, and softmax along a row ----

// Y = max(0, X):  ∂L/∂X[r,c] = ∂L/∂Y[r,c] · [X[r,c] > 0]
void relu_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  const bool positive = dx.x(0)(r, c) > 0;
  dx.add(r, c, positive ? 1.0 : 0.0, positive ? N_("1 (X > 0)") : N_("0 (X ≤ 0)"), dx.in(0, r, c));
}

// Y = X Φ(X):  ∂L/∂X[r,c] = ∂L/∂Y[r,c] · (Φ(X) + X φ(X))
void gelu_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  dx.add(r, c, ops::gelu_derivative(dx.x(0)(r, c)), cat("Φ(X", at(r, c), ") + X", at(r, c), " φ(X", at(r, c), ")"),
         dx.in(0, r, c));
}

// Y = tanh(X):  ∂L/∂X[r,c] = ∂L/∂Y[r,c] · (1 − Y[r,c]²)
void tanh_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  const Scalar y = dx.y()(r, c);
  dx.add(r, c, 1 - y * y, cat("1 − Y", at(r, c), "²"), dx.out(0, r, c));
}

// A[r,:] = softmax(S[r,:]):  ∂L/∂S[r,c] = Σₖ ∂L/∂A[r,k] · A[r,k](δₖc − A[r,c])
void softmax_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  const Mat& A = dx.y();
  for (int k = 0; k < A.cols(); ++k)
    dx.add(r, k, A(r, k) * ((k == c ? 1.0 : 0.0) - A(r, c)),
           k == c ? cat("A", at(r, k), "(1 − A", at(r, c), ")") : cat("−A", at(r, k), "·A", at(r, c)));
}

// ---- a normalisation and a loss, each coupling a row ----

// Y = γ ⊙ x̂ + β, x̂ = (X − μ)/σ per row of D features; the forward saved μ and 1/σ of each row.
void layer_norm_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  const Mat& X = dx.x(0);
  const Mat& stats = dx.saved();
  const auto xhat = [&](int t, int k) { return (X(t, k) - stats(t, 0)) * stats(t, 1); };
  const Scalar D = static_cast<Scalar>(X.cols());
  if (dx.input == 0) {  // ∂L/∂X[r,c] = Σₖ ∂L/∂Y[r,k] · γₖ (δₖc − 1/D − x̂ₖ x̂_c / D) / σ
    for (int k = 0; k < X.cols(); ++k) {
      const Scalar local = dx.x(1)(0, k) * ((k == c ? 1.0 : 0.0) - 1.0 / D - xhat(r, k) * xhat(r, c) / D) * stats(r, 1);
      dx.add(r, k, local, cat("γ", at(0, k), "(δ − 1/D − x̂ₖx̂_c/D)/σ"));
    }
  } else if (dx.input == 1) {  // ∂L/∂γ[c] = Σₜ ∂L/∂Y[t,c] · x̂[t,c]
    for (int t = 0; t < X.rows(); ++t) dx.add(t, c, xhat(t, c), cat("x̂", at(t, c)));
  } else {  // ∂L/∂β[c] = Σₜ ∂L/∂Y[t,c] · 1
    for (int t = 0; t < X.rows(); ++t) dx.add(t, c, 1, "1");
  }
}

// L = −(1/N) Σₜ log P[t, y_t], P = softmax(Z) (output 1):  ∂L/∂Z[r,c] = ∂L/∂L · (P[r,c] − [c = y_r]) / N;
// a padding target's row takes nothing.
void cross_entropy_chain_terms(GradientElement& dx) {
  const int r = dx.r, c = dx.c;
  const Mat& targets = dx.x(1);
  const int pad = dx.step().args.pad_id, y_r = static_cast<int>(targets(r, 0));
  if (y_r == pad) return;
  const Scalar n = ops::count_targets(targets, pad);
  const Scalar p = dx.y(1)(r, c);
  dx.add(0, 0, (p - (c == y_r ? 1.0 : 0.0)) / n, c == y_r ? cat("(P", at(r, c), " − 1)/N") : cat("P", at(r, c), "/N"),
         dx.out(1, r, c));
}

// ---- recurrent cells and Bahdanau's scores ----

namespace {

// The slope a of H'[b,k] by the input of gate g (r, z, n) of unit k: n's input, by H, is m's.
Scalar gru_slope(const Mat& gates, const Mat& H, int b, int k, int g, bool of_h) {
  const ops::GruSlopes a = ops::gru_slopes(gates, H, b, k);
  return g == 0 ? a.r : g == 1 ? a.z : (of_h ? a.m : a.n);
}

// ∂H'[r,k]/∂X[r,c] (of_h false) or ∂H'[r,k]/∂H[r,c] (of_h true), k = 0 … d−1, of a GRU cell.
void gru_input_terms(GradientElement& dx, bool of_h) {
  const Mat& H = dx.x(1);
  const Mat& gates = dx.saved();
  const Mat& W = dx.x(of_h ? 3 : 2);
  const int d = static_cast<int>(H.cols()), r = dx.r, c = dx.c;
  const char* W_name = of_h ? "W_h" : "W_x";
  for (int k = 0; k < d; ++k) {
    Scalar local = 0;
    for (int g = 0; g < 3; ++g) local += gru_slope(gates, H, r, k, g, of_h) * W(g * d + k, c);
    std::string text = cat("a_r ", W_name, at(k, c), " + a_z ", W_name, at(d + k, c), of_h ? " + a_m " : " + a_n ",
                           W_name, at(2 * d + k, c));
    if (of_h && k == c) {
      local += gates(r, d + k);
      text += " + z";
    }
    dx.add(r, k, local, text);
  }
}

}  // namespace

// H'[b,k] depends on X[b,·] and H[b,·] through the gates' inputs (slopes a, ops::gru_slopes):
//   ∂H'[b,k]/∂X[b,c] = a_r W_x[k,c] + a_z W_x[d+k,c] + a_n W_x[2d+k,c]
//   ∂H'[b,k]/∂H[b,c] = a_r W_h[k,c] + a_z W_h[d+k,c] + a_m W_h[2d+k,c] + z [k = c]
// and on row j = g·d + k of W_x, W_h, b_x, b_h (gate g of unit k) through that gate alone.
// Inputs: X, H, W_x, W_h, b_x, b_h.
void gru_cell_chain_terms(GradientElement& dx) {
  if (dx.input <= 1) {
    gru_input_terms(dx, dx.input == 1);
    return;
  }
  const Mat& X = dx.x(0);
  const Mat& H = dx.x(1);
  const Mat& gates = dx.saved();
  const int d = static_cast<int>(H.cols()), r = dx.r, c = dx.c;
  static constexpr const char* gate_name[] = {"r", "z", "n"};
  const int g = r / d, k = r % d;  // a weight's row j = g·d + k; a bias's column
  const bool of_h = dx.input == 3 || dx.input == 5, bias = dx.input >= 4;
  const int gate = bias ? c / d : g, unit = bias ? c % d : k;
  for (int b = 0; b < H.rows(); ++b) {
    const Scalar a = gru_slope(gates, H, b, unit, gate, of_h);
    const std::string slope_text = cat("a_", gate == 2 && of_h ? "m" : gate_name[gate]);
    if (bias)
      dx.add(b, unit, a, slope_text);
    else
      dx.add(b, k, a * (of_h ? H : X)(b, c), cat(slope_text, " · ", of_h ? "H" : "X", at(b, c)),
             dx.in(of_h ? 1 : 0, b, c));
  }
}

// E[i,j] = Σ_k v[k] t[i·T_k + j, k], t = tanh(S[i] W_sᵀ + K[j]) (saved by the forward): with
// s_ij = v ⊙ (1 − t²),
//   ∂E[i,j]/∂S[i,c] = Σ_k s_ij[k] W_s[k,c],  ∂E[i,j]/∂K[j,c] = s_ij[c],
//   ∂E[i,j]/∂W_s[k,c] = s_ij[k] S[i,c],  ∂E[i,j]/∂v[k] = t[i·T_k + j, k]
// Inputs: S, K, W_s, v.
void additive_scores_chain_terms(GradientElement& dx) {
  const Mat& S = dx.x(0);
  const Mat& W_s = dx.x(2);
  const Mat& v = dx.x(3);
  const Mat& t = dx.saved();
  const int T_q = static_cast<int>(S.rows()), T_k = static_cast<int>(dx.x(1).rows()), r = dx.r, c = dx.c;
  const auto slope = [&](int i, int j, int k) {
    const Scalar h = t(i * T_k + j, k);
    return v(0, k) * (1 - h * h);
  };
  switch (dx.input) {
    case 0:
      for (int j = 0; j < T_k; ++j) {
        Scalar local = 0;
        for (int k = 0; k < W_s.rows(); ++k) local += slope(r, j, k) * W_s(k, c);
        dx.add(r, j, local, "Σₖ v[k] (1 − t²) W_s[k,c]");
      }
      break;
    case 1:
      for (int i = 0; i < T_q; ++i)
        dx.add(i, r, slope(i, r, c), cat("v", at(0, c), " (1 − t", at(i * T_k + r, c), "²)"));
      break;
    default:
      for (int i = 0; i < T_q; ++i)
        for (int j = 0; j < T_k; ++j) {
          if (dx.input == 2)
            dx.add(i, j, slope(i, j, r) * S(i, c), cat("v (1 − t²) · S", at(i, c)), dx.in(0, i, c));
          else
            dx.add(i, j, t(i * T_k + j, c), cat("t", at(i * T_k + j, c)));
        }
      break;
  }
}

}  // namespace attnviz

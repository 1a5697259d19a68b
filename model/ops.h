#pragma once
// Every operation of the Transformer as a forward/backward pair.
//
// Shapes first, formula in the comment.  Backward takes gradients first, the upstream gradient
// next, saved forward values last, and accumulates (+=), so a tensor used twice just works, or
// writes a fresh gradient over (see Grad).
// T = tokens (T_q queries, T_k keys), d = features, V = vocabulary.

#include "model/config.h"
#include "model/row_parts.h"
#include "model/tensor.h"

#include <vector>

namespace attnviz::ops {

// A gradient a backward op writes, of the shape of what it is the gradient of: added into what
// `m` holds, or, when `fresh` (no step wrote it yet), written over whatever `m` holds, which
// spares zeroing it first and reading the zeros back.
struct Grad {
  Grad(Mat& m, bool fresh = false) : m(m), fresh(fresh) {}
  Mat& m;
  bool fresh;

  // m = d when fresh, m += d otherwise: the op's whole contribution d at once.
  template <class Contribution>
  void put(const Eigen::MatrixBase<Contribution>& d) {
    if (fresh)
      m = d;
    else
      m += d;
  }
  // The same for an elementwise d (each value from the same place of its operands), cut into
  // ranges of rows spread over the threads when it is large (model/row_parts.h).
  template <class Contribution>
  void put_rows(const Eigen::MatrixBase<Contribution>& d) {
    if (row_part_count(d.rows(), d.cols()) == 1) return put(d);
    if (fresh) reshape(m, d.rows(), d.cols());
    for_row_parts(d.rows(), d.cols(), [&](Eigen::Index begin, Eigen::Index end) {
      if (fresh)
        m.middleRows(begin, end - begin) = d.middleRows(begin, end - begin);
      else
        m.middleRows(begin, end - begin) += d.middleRows(begin, end - begin);
    });
  }
  // put_rows(d) for a d that is 0 outside the columns `nonzero`: m's other columns stay as they
  // are, since x + 0 = x for every x but −0, which no gradient holds (see run_backward).
  void put_columns(const Mat& d, Columns nonzero) {
    if (fresh) return put_rows(d);
    // Plain loops over a head's few columns, where a block expression costs more to set up.
    for (Eigen::Index r = 0; r < d.rows(); ++r) {
      Scalar* to = m.data() + r * m.cols() + nonzero.begin;
      const Scalar* from = d.data() + r * d.cols() + nonzero.begin;
      for (Eigen::Index c = 0; c < nonzero.count; ++c) to[c] += from[c];
    }
  }
  // Zeroes a fresh gradient, for an op that adds its contribution in parts (a scatter).
  void clear_if_fresh() {
    if (!fresh) return;
    if (row_part_count(m.rows(), m.cols()) == 1) {
      m.setZero();
      return;
    }
    for_row_parts(m.rows(), m.cols(),
                  [&](Eigen::Index begin, Eigen::Index end) { m.middleRows(begin, end - begin).setZero(); });
  }
};

// Y[t,:] = W[id_t,:]                        ids:(T,1) W:(V,d) → Y:(T,d)
void embedding_forward(Mat& Y, const Mat& ids, const Mat& W);
// dW[id_t,:] += dY[t,:]
void embedding_backward(Grad dW, const Mat& dY, const Mat& ids);

// Y = c·X
void scale_forward(Mat& Y, const Mat& X, Scalar c);
// dX += c·dY
void scale_backward(Grad dX, const Mat& dY, Scalar c);

// PE (T,d).  interleaved: PE[p,2i] = sin(p·ωᵢ), PE[p,2i+1] = cos(p·ωᵢ);
// concatenated: PE[p,i] = sin(p·ωᵢ), PE[p,d/2+i] = cos(p·ωᵢ);  ωᵢ = base^(−2i/d).
void positional_encoding(Mat& PE, Positional kind, int T, int d, Scalar base = 10000);

// Y = A + B                                 A,B:(T,d) → Y:(T,d)
void add_forward(Mat& Y, const Mat& A, const Mat& B);
// dX += dY   (for each summand)
void identity_backward(Grad dX, const Mat& dY);

// Y = X Wᵀ + b                              X:(T,in) W:(out,in) b:(1,out) → Y:(T,out)
void linear_forward(Mat& Y, const Mat& X, const Mat& W, const Mat& b);
// dX += dY W ;  dW += dYᵀ X ;  db += Σ_t dY[t,:]
// With `dW_may_trail`, parts of dW may still be computed on a helper when it returns
// (matmul_nn_then_tn): dW, dY and X must stay as they are until finish_trailing_pieces().
void linear_backward(Grad dX, Grad dW, Grad db, const Mat& dY, const Mat& X, const Mat& W, bool dW_may_trail = false);

// Y = X[:, h·d_k : (h+1)·d_k]                X:(T,d) → Y:(T,d_k)
void split_head_forward(Mat& Y, const Mat& X, int head, int d_k);
// dX[:, h·d_k : (h+1)·d_k] += dY
void split_head_backward(Grad dX, const Mat& dY, int head, int d_k);

// Y = [X_0 | X_1 | … | X_{H−1}]             X_h:(T,d_k) → Y:(T,H·d_k)
void concat_heads_forward(Mat& Y, const std::vector<const Mat*>& X);
// dX_h += dY[:, h·d_k : (h+1)·d_k]
void concat_heads_backward(Grad dX_h, const Mat& dY, int head, int d_k);

// S = Q Kᵀ                                  Q:(T_q,d_k) K:(T_k,d_k) → S:(T_q,T_k)
void scores_forward(Mat& S, const Mat& Q, const Mat& K);
// dQ += dS K ;  dK += dSᵀ Q
void scores_backward(Grad dQ, Grad dK, const Mat& dS, const Mat& Q, const Mat& K);

// Y[i,j] = X[i,j] if M[i,j] = 1, −∞ if M[i,j] = 0        X,M:(T_q,T_k) → Y:(T_q,T_k)
void mask_forward(Mat& Y, const Mat& X, const Mat& M);
// dX += dY ⊙ M   (a masked score does not reach the loss)
void mask_backward(Grad dX, const Mat& dY, const Mat& M);

// A[i,j] = exp(S[i,j] − mᵢ) / Σ_k exp(S[i,k] − mᵢ),  mᵢ = max_k S[i,k];  S,A:(T_q,T_k)
// exp(−∞) = 0 exactly; a row whose every entry is −∞ gets zero weights and its index is
// appended to `fully_masked_rows`.
void softmax_forward(Mat& A, const Mat& S, std::vector<int>& fully_masked_rows);
// dS[i,j] += A[i,j]·(dA[i,j] − Σ_k dA[i,k]·A[i,k])
void softmax_backward(Grad dS, const Mat& dA, const Mat& A);

// O = A V                                   A:(T_q,T_k) V:(T_k,d_v) → O:(T_q,d_v)
void weighted_sum_forward(Mat& O, const Mat& A, const Mat& V);
// dA += dO Vᵀ ;  dV += Aᵀ dO
void weighted_sum_backward(Grad dA, Grad dV, const Mat& dO, const Mat& A, const Mat& V);

// Per row: μ = mean(x), σ = √(var(x) + ε), x̂ = (x − μ)/σ, y = γ ⊙ x̂ + β
//                                           X:(T,d) γ,β:(1,d) → Y:(T,d), stats:(T,2) = [μ, 1/σ]
void layer_norm_forward(Mat& Y, Mat& stats, const Mat& X, const Mat& gamma, const Mat& beta, Scalar eps);
// dx̂ = dy ⊙ γ ;  dX += (dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)) / σ ;  dγ += Σ_t dY ⊙ x̂ ;  dβ += Σ_t dY
// with μ and 1/σ the forward's `stats`.
void layer_norm_backward(Grad dX, Grad dgamma, Grad dbeta, const Mat& dY, const Mat& X, const Mat& gamma,
                         const Mat& stats);

// Y = max(0, X)
void relu_forward(Mat& Y, const Mat& X);
// dX += dY ⊙ [X > 0]
void relu_backward(Grad dX, const Mat& dY, const Mat& X);

// Y = X ⊙ Φ(X),  Φ(x) = ½ (1 + erf(x/√2)) the standard normal CDF (exact GELU, PyTorch's default)
void gelu_forward(Mat& Y, const Mat& X);
// dX += dY ⊙ GELU'(X),  GELU'(x) = Φ(x) + x φ(x),  φ(x) = exp(−x²/2) / √(2π)
void gelu_backward(Grad dX, const Mat& dY, const Mat& X);
Scalar normal_cdf(Scalar x);       // Φ(x)
Scalar gelu_derivative(Scalar x);  // Φ(x) + x φ(x)

// Y = [X_0; X_1; …; X_{T−1}], one row each      X_t:(1,d) → Y:(T,d)
void stack_rows_forward(Mat& Y, const std::vector<const Mat*>& X);
// dX_t += dY[t,:]
void stack_rows_backward(Grad dX_t, const Mat& dY, int t);

// Y = tanh(X)
void tanh_forward(Mat& Y, const Mat& X);
// dX += dY ⊙ (1 − Y²)
void tanh_backward(Grad dX, const Mat& dY, const Mat& Y);

// One step of a GRU, PyTorch's gate order (reset r, update z, new n), row by row:
//   r = σ(X W_rᵀ + b_xr + H U_rᵀ + b_hr)        W_x = [W_r; W_z; W_n]:(3d,e)  b_x:(1,3d)
//   z = σ(X W_zᵀ + b_xz + H U_zᵀ + b_hz)        W_h = [U_r; U_z; U_n]:(3d,d)  b_h:(1,3d)
//   n = tanh(X W_nᵀ + b_xn + r ⊙ m),  m = H U_nᵀ + b_hn
//   H' = (1 − z) ⊙ n + z ⊙ H
//                                X:(B,e) H:(B,d) → H':(B,d), gates:(B,4d) = [r | z | n | m]
void gru_cell_forward(Mat& H_next, Mat& gates, const Mat& X, const Mat& H, const Mat& W_x, const Mat& W_h,
                      const Mat& b_x, const Mat& b_h);
// The slopes of H'[b,k] along the pre-activations, from the forward's gates:
//   a_r = ∂H'/∂(r's input) = (1 − z)(1 − n²) m r(1 − r),  a_z = (H − n) z(1 − z),
//   a_n = ∂H'/∂(n's input) = (1 − z)(1 − n²),            a_m = ∂H'/∂m = a_n r
struct GruSlopes {
  Scalar r, z, n, m;
};
GruSlopes gru_slopes(const Mat& gates, const Mat& H, int b, int k);
// g_x = dH' ⊙ [a_r | a_z | a_n],  g_h = dH' ⊙ [a_r | a_z | a_m]   (B,3d)
// dX += g_x W_x ;  dH += g_h W_h + dH' ⊙ z ;  dW_x += g_xᵀ X ;  dW_h += g_hᵀ H ;
// db_x += Σ_b g_x ;  db_h += Σ_b g_h
void gru_cell_backward(Grad dX, Grad dH, Grad dW_x, Grad dW_h, Grad db_x, Grad db_h, const Mat& dH_next, const Mat& X,
                       const Mat& H, const Mat& W_x, const Mat& W_h, const Mat& gates);

// Additive (Bahdanau) attention scores, the keys k_j = W_h h_j + b computed once beforehand:
//   E[i,j] = vᵀ tanh(W_s s_i + k_j) = Σ_c v[c] · t[i·T_k + j, c],  t[i·T_k + j, :] = tanh(S[i,:] W_sᵀ + K[j,:])
//                        S:(T_q,d) K:(T_k,a) W_s:(a,d) v:(1,a) → E:(T_q,T_k), t:(T_q·T_k, a)
void additive_scores_forward(Mat& E, Mat& hidden, const Mat& S, const Mat& K, const Mat& W_s, const Mat& v);
// G[i·T_k + j, :] = dE[i,j] · v ⊙ (1 − t²) (T_q·T_k, a);  G_s[i] = Σ_j G[i·T_k + j],  G_k[j] = Σ_i G[i·T_k + j]
// dS += G_s W_s ;  dK += G_k ;  dW_s += G_sᵀ S ;  dv += Σ_ij dE[i,j] t[i·T_k + j, :]
void additive_scores_backward(Grad dS, Grad dK, Grad dW_s, Grad dv, const Mat& dE, const Mat& S, const Mat& W_s,
                              const Mat& v, const Mat& hidden);

// P = softmax(Z) per row;  L = −(1/N) Σ_{t: y_t ≠ pad} log P[t, y_t],  N = number of such t
//                                           Z:(T,V) targets:(T,1) → L:(1,1), P:(T,V),
//                                           stats:(T,2) = [m, z]: m = max_k Z[t,k], z = Σ_k exp(Z[t,k] − m)
void cross_entropy_forward(Mat& L, Mat& P, Mat& stats, const Mat& Z, const Mat& targets, int pad_id);
// dZ[t,:] += dL·(P[t,:] − onehot(y_t)) / N   for non-pad t
void cross_entropy_backward(Grad dZ, Scalar dL, const Mat& P, const Mat& targets, int pad_id);
int count_targets(const Mat& targets, int pad_id);

// L = Σᵢⱼ Y[i,j]                             Y:(T,d) → L:(1,1)
void sum_forward(Mat& L, const Mat& Y);
// dY[i,j] += dL
void sum_backward(Grad dY, Scalar dL);

}  // namespace attnviz::ops

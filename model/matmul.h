#pragma once
// The three matrix products of the model, shaped for it: one side is short (T tokens, 5 to 32
// rows) and the other is a weight matrix of up to 2048 × 2048.  Eigen's general product packs
// the weight matrix into blocks before every product; these read it once, in place, through
// register tiles of 8-wide vectors (partial vectors at the edges are masked).  Every C[i,j] is
// summed over k in order, so a run gives the same bits every time.
//
// `accumulate`: C += product; otherwise C = product (C is resized).

#include "model/tensor.h"

namespace attnviz {

// C = A Bᵀ                    A:(m,k) B:(n,k) → C:(m,n)      (Y = X Wᵀ, S = Q Kᵀ, dA = dO Vᵀ)
void matmul_nt(Mat& C, const Mat& A, const Mat& B, bool accumulate);
// C = A B                     A:(m,k) B:(k,n) → C:(m,n)      (dX = dY W, O = A V, dQ = dS K)
void matmul_nn(Mat& C, const Mat& A, const Mat& B, bool accumulate);
// C = Aᵀ B                    A:(k,m) B:(k,n) → C:(m,n)      (dW = dYᵀ X, dV = Aᵀ dO, dK = dSᵀ Q)
// With `stream`, C is written with streaming stores where the CPU has them: a large fresh
// weight gradient goes to memory without first being read into cache.
void matmul_tn(Mat& C, const Mat& A, const Mat& B, bool accumulate, bool stream = false);

}  // namespace attnviz

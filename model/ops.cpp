#include "model/ops.h"

#include "model/matmul.h"
#include "model/simd.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnviz::ops {

namespace {
constexpr Scalar neg_inf = -std::numeric_limits<Scalar>::infinity();
using Index = Eigen::Index;
int id_at(const Mat& ids, Index t) { return static_cast<int>(ids(t, 0)); }

// The rows [begin, end) of M.
auto rows(const Mat& M, Index begin, Index end) { return M.middleRows(begin, end - begin); }

// Y = f(X, more…) for an elementwise f given as f(Y, X, more…), Y shaped like X: on the whole
// matrices, or on ranges of their rows over the threads when X is large.
template <class F, class... More>
void rows_of(Mat& Y, F f, const Mat& X, const More&... more) {
  reshape(Y, X.rows(), X.cols());
  if (row_part_count(X.rows(), X.cols()) == 1) return f(Y, X, more...);
  for_row_parts(X.rows(), X.cols(), [&](Index begin, Index end) {
    f(Y.middleRows(begin, end - begin), rows(X, begin, end), rows(more, begin, end)...);
  });
}

// A fresh weight gradient of at least this many elements (2 MB, more than a core's cache) is
// written with streaming stores.
constexpr Eigen::Index stream_threshold = Eigen::Index{1} << 18;

// to[j] = value(j) for j < n when `fresh`, to[j] += value(j) otherwise: Grad::put for a row of
// plain loops.
template <class Value>
void put_row(bool fresh, Scalar* to, Eigen::Index n, Value value) {
  if (fresh)
    for (Eigen::Index j = 0; j < n; ++j) to[j] = value(j);
  else
    for (Eigen::Index j = 0; j < n; ++j) to[j] += value(j);
}
}  // namespace

void embedding_forward(Mat& Y, const Mat& ids, const Mat& W) {
  reshape(Y, ids.rows(), W.cols());
  for_row_parts(ids.rows(), W.cols(), [&](Index begin, Index end) {
    for (Index t = begin; t < end; ++t) Y.row(t) = W.row(id_at(ids, t));
  });
}

void embedding_backward(Grad dW, const Mat& dY, const Mat& ids) {
  dW.clear_if_fresh();
  for (Eigen::Index t = 0; t < ids.rows(); ++t) dW.m.row(id_at(ids, t)) += dY.row(t);
}

void scale_forward(Mat& Y, const Mat& X, Scalar c) {
  rows_of(
      Y, [c](auto&& y, const auto& x) { y = c * x; }, X);
}

void scale_backward(Grad dX, const Mat& dY, Scalar c) { dX.put_rows(c * dY); }

void positional_encoding(Mat& PE, Positional kind, int T, int d, Scalar base) {
  set_zero(PE, T, d);
  if (kind == Positional::none) return;
  for (int i = 0; i < d / 2; ++i) {
    const Scalar omega = std::pow(base, -2.0 * i / d);
    const int sin_col = kind == Positional::interleaved ? 2 * i : i;
    const int cos_col = kind == Positional::interleaved ? 2 * i + 1 : d / 2 + i;
    for (int p = 0; p < T; ++p) {
      PE(p, sin_col) = std::sin(p * omega);
      PE(p, cos_col) = std::cos(p * omega);
    }
  }
}

void add_forward(Mat& Y, const Mat& A, const Mat& B) {
  rows_of(
      Y, [](auto&& y, const auto& a, const auto& b) { y = a + b; }, A, B);
}

void identity_backward(Grad dX, const Mat& dY) { dX.put_rows(dY); }

void linear_forward(Mat& Y, const Mat& X, const Mat& W, const Mat& b) {
  matmul_nt(Y, X, W, false);
  if (row_part_count(Y.rows(), Y.cols()) == 1) {
    Y.rowwise() += b.row(0);
    return;
  }
  for_row_parts(Y.rows(), Y.cols(),
                [&](Index begin, Index end) { Y.middleRows(begin, end - begin).rowwise() += b.row(0); });
}

void linear_backward(Grad dX, Grad dW, Grad db, const Mat& dY, const Mat& X, const Mat& W, bool dW_may_trail) {
  const auto products = dW_may_trail ? matmul_nn_then_tn : matmul_nn_and_tn;
  products(dX.m, dY, W, !dX.fresh, dW.m, dY, X, !dW.fresh, W.size() >= stream_threshold);
  db.put(dY.colwise().sum());
}

// Plain loops: a head's block is a few short rows, where Eigen's block expressions cost more in
// setting up than in copying.
void split_head_forward(Mat& Y, const Mat& X, int head, int d_k) {
  reshape(Y, X.rows(), d_k);
  for (Eigen::Index t = 0; t < X.rows(); ++t) {
    const Scalar* x = &X(t, static_cast<Eigen::Index>(head) * d_k);
    Scalar* y = &Y(t, 0);
    for (int c = 0; c < d_k; ++c) y[c] = x[c];
  }
}

void split_head_backward(Grad dX, const Mat& dY, int head, int d_k) {
  dX.clear_if_fresh();
  for (Eigen::Index t = 0; t < dY.rows(); ++t) {
    Scalar* dx = &dX.m(t, static_cast<Eigen::Index>(head) * d_k);
    const Scalar* dy = &dY(t, 0);
    for (int c = 0; c < d_k; ++c) dx[c] += dy[c];
  }
}

void concat_heads_forward(Mat& Y, const std::vector<const Mat*>& X) {
  const Eigen::Index d_k = X.front()->cols();
  reshape(Y, X.front()->rows(), d_k * static_cast<Eigen::Index>(X.size()));
  for_row_parts(Y.rows(), Y.cols(), [&](Index begin, Index end) {
    for (Index t = begin; t < end; ++t) {
      Scalar* y = &Y(t, 0);
      for (const Mat* head : X)
        for (Eigen::Index c = 0; c < d_k; ++c) *y++ = (*head)(t, c);
    }
  });
}

void concat_heads_backward(Grad dX_h, const Mat& dY, int head, int d_k) {
  for (Eigen::Index t = 0; t < dY.rows(); ++t) {
    const Scalar* dy = &dY(t, static_cast<Eigen::Index>(head) * d_k);
    put_row(dX_h.fresh, &dX_h.m(t, 0), d_k, [&](Eigen::Index c) { return dy[c]; });
  }
}

void scores_forward(Mat& S, const Mat& Q, const Mat& K) { matmul_nt(S, Q, K, false); }

void scores_backward(Grad dQ, Grad dK, const Mat& dS, const Mat& Q, const Mat& K) {
  matmul_nn(dQ.m, dS, K, !dQ.fresh);
  matmul_tn(dK.m, dS, Q, !dK.fresh);
}

// A plain loop over the rows' values (contiguous, row-major): Eigen's select() is evaluated one
// value at a time through its expression.
void mask_forward(Mat& Y, const Mat& X, const Mat& M) {
  rows_of(
      Y,
      [](auto&& y, const auto& x, const auto& m) {
        const Scalar *xs = x.data(), *ms = m.data();
        Scalar* ys = y.data();
        for (Index i = 0; i < x.size(); ++i) ys[i] = ms[i] != 0 ? xs[i] : neg_inf;
      },
      X, M);
}

void mask_backward(Grad dX, const Mat& dY, const Mat& M) { dX.put_rows((dY.array() * M.array()).matrix()); }

namespace {
using simd::lanes;
using LaneArray = Eigen::Array<Scalar, lanes, 1>;

// exp of each lane, through Eigen's vectorised exp, the vector kept in registers.
[[gnu::always_inline]] inline simd::Vec exp_lanes(simd::Vec x) {
  LaneArray v = Eigen::Map<const LaneArray>(reinterpret_cast<const Scalar*>(&x));
  v = v.exp();
  return simd::load(v.data());
}

// p[i] = exp(p[i]) for i < n, a vector at a time (exp_lanes): a matrix's rows are often shorter
// than a vector, so a run of whole rows is taken as one, its last few padded with zeros.
void exp_in_place(Scalar* p, Index n) {
  Index i = 0;
  for (; i + lanes <= n; i += lanes) simd::store(p + i, exp_lanes(simd::load(p + i)));
  if (i == n) return;
  const simd::FirstLanes tail = simd::first_lanes(n - i);
  simd::store_first(p + i, exp_lanes(simd::load_first(p + i, tail)), tail);
}

// A row per lane: rows [i0, i0 + lanes) of a matrix (those past `rows` read as 0), `lanes`
// columns at a time, turned round in registers so that a row's sums over its values go side by
// side with the other rows' rather than as one long chain after another.  Each lane sums its row
// in the order a loop over the row would: the same bits.
class RowLanes {
 public:
  RowLanes(const Mat& M, Index i0, Index rows) : M_(M), i0_(i0), rows_(std::min<Index>(rows, lanes)) {}
  // block[e][r] = M(i0 + r, c0 + e), e < width(c0) (0 past the last column)
  void columns(Index c0, simd::Vec (&block)[lanes]) const {
    const simd::FirstLanes mask = simd::first_lanes(width(c0));
    for (Index r = 0; r < lanes; ++r) block[r] = r < rows_ ? simd::load_first(&M_(i0_ + r, c0), mask) : simd::Vec{};
    simd::transpose(block);
  }
  Index width(Index c0) const { return std::min<Index>(lanes, M_.cols() - c0); }

 private:
  const Mat& M_;
  Index i0_, rows_;
};

// Row i, whose z is 0 (every key masked): masked[i] = 1, or without `masked` appended to
// `fully_masked_rows` when given.
void note_fully_masked(Index i, char* masked, std::vector<int>* fully_masked_rows) {
  if (masked)
    masked[i] = 1;
  else if (fully_masked_rows)
    fully_masked_rows->push_back(static_cast<int>(i));
}

// softmax_row_range for rows of `lanes` keys or fewer (a lesson's heads, with AVX-512): `lanes`
// rows at a time, turned round in registers so that row r is lane r of each key's vector, and
// the rows' running max and sum go side by side rather than one short chain after another.  Each lane does what
// softmax_row_range does for its row, in the same order, with the same exp: the same bits.
void softmax_short_rows(Mat& A, const Mat& S, Mat* stats, char* masked, std::vector<int>* fully_masked_rows,
                        Index begin, Index end) {
  using simd::Vec;
  const Index cols = S.cols();
  const simd::FirstLanes row_lanes = simd::first_lanes(cols);
  const Vec zero = {}, minus_infinity = zero + neg_inf;
  for (Index i0 = begin; i0 < end; i0 += lanes) {
    const Index rows = std::min<Index>(lanes, end - i0);
    Vec key[lanes];  // key[j][r] = S(i0 + r, j); lanes past the last row and keys past the last hold 0
    RowLanes(S, i0, rows).columns(0, key);
    Vec m = minus_infinity;
    for (Index j = 0; j < cols; ++j) m = key[j] > m ? key[j] : m;
    const Vec shift = m == minus_infinity ? zero : m;
    Vec z = zero;
    for (Index j = 0; j < cols; ++j) {
      // A masked key's weight is 0: its exp is taken of 0, not of −∞, which the vectorised exp
      // turns into a denormal, slowly.
      const auto masked = key[j] == minus_infinity;
      Vec e = exp_lanes(masked ? zero : key[j] - shift);
      e = masked ? zero : e;
      z += e;
      key[j] = e;
    }
    for (Index j = 0; j < cols; ++j) key[j] = z == zero ? key[j] : key[j] / z;
    simd::transpose(key);  // back: key[r] = row i0 + r of A
    for (Index r = 0; r < rows; ++r) {
      const Index i = i0 + r;
      if (stats) {
        (*stats)(i, 0) = m[r];
        (*stats)(i, 1) = z[r];
      }
      if (z[r] == 0) note_fully_masked(i, masked, fully_masked_rows);
      simd::store_first(&A(i, 0), key[r], row_lanes);
    }
  }
}

// Rows [begin, end) of softmax_rows.  A row whose z is 0 is noted (note_fully_masked).
void softmax_row_range(Mat& A, const Mat& S, Mat* stats, char* masked, std::vector<int>* fully_masked_rows, Index begin,
                       Index end) {
  const Index cols = S.cols();
  if (cols <= lanes) return softmax_short_rows(A, S, stats, masked, fully_masked_rows, begin, end);
  // Plain loops over rows of a few dozen keys, where Eigen's row expressions cost more to set
  // up than to run.
  for (Index i = begin; i < end; ++i) {
    const Scalar* s = S.data() + i * cols;
    Scalar* a = A.data() + i * cols;
    Scalar m = neg_inf;
    for (Eigen::Index j = 0; j < cols; ++j) m = s[j] > m ? s[j] : m;
    if (stats) (*stats)(i, 0) = m;
    const Scalar shift = m == neg_inf ? 0 : m;
    for (Eigen::Index j = 0; j < cols; ++j) a[j] = s[j] == neg_inf ? 0 : s[j] - shift;  // 0 below
  }
  exp_in_place(A.data() + begin * cols, (end - begin) * cols);
  for (Index i = begin; i < end; ++i) {
    const Scalar* s = S.data() + i * cols;
    Scalar* a = A.data() + i * cols;
    Scalar z = 0;
    for (Eigen::Index j = 0; j < cols; ++j) {
      if (s[j] == neg_inf) a[j] = 0;  // a masked key: exp(0) above, not exp(−∞), a slow denormal
      z += a[j];
    }
    if (stats) (*stats)(i, 1) = z;
    if (z == 0) {  // every key masked
      note_fully_masked(i, masked, fully_masked_rows);
      continue;
    }
    for (Eigen::Index j = 0; j < cols; ++j) a[j] /= z;
  }
}

// A[i,j] = exp(S[i,j] − mᵢ) / zᵢ,  mᵢ = max_k S[i,k],  zᵢ = Σ_k exp(S[i,k] − mᵢ);  m and z go to
// `stats` (T_q, 2) when given.  A row of −∞ gets zero weights (and m = −∞, z = 0).
void softmax_rows(Mat& A, const Mat& S, std::vector<int>* fully_masked_rows, Mat* stats) {
  const Index rows = S.rows(), cols = S.cols();
  reshape(A, rows, cols);
  if (stats) reshape(*stats, rows, 2);
  if (row_part_count(rows, cols) == 1) return softmax_row_range(A, S, stats, nullptr, fully_masked_rows, 0, rows);
  thread_local std::vector<char> masked_rows;  // this thread's, filled by the parts through `masked`
  masked_rows.assign(static_cast<std::size_t>(rows), 0);
  char* masked = masked_rows.data();
  for_row_parts(rows, cols,
                [&](Index begin, Index end) { softmax_row_range(A, S, stats, masked, nullptr, begin, end); });
  if (fully_masked_rows)
    for (Index i = 0; i < rows; ++i)
      if (masked[i]) fully_masked_rows->push_back(static_cast<int>(i));
}
}  // namespace

void softmax_forward(Mat& A, const Mat& S, std::vector<int>& fully_masked_rows) {
  softmax_rows(A, S, &fully_masked_rows, nullptr);
}

namespace {
void softmax_backward_rows(Grad& dS, const Mat& dA, const Mat& A, Index begin, Index end) {
  const Index cols = A.cols();
  for (Index i = begin; i < end; ++i) {
    const Scalar* a = A.data() + i * cols;
    const Scalar* da = dA.data() + i * cols;
    Scalar* ds = dS.m.data() + i * cols;
    Scalar dot = 0;
    for (Index j = 0; j < cols; ++j) dot += da[j] * a[j];
    put_row(dS.fresh, ds, cols, [&](Index j) { return a[j] * (da[j] - dot); });
  }
}
}  // namespace

void softmax_backward(Grad dS, const Mat& dA, const Mat& A) {
  for_row_parts(A.rows(), A.cols(), [&](Index begin, Index end) { softmax_backward_rows(dS, dA, A, begin, end); });
}

void weighted_sum_forward(Mat& O, const Mat& A, const Mat& V) { matmul_nn(O, A, V, false); }

void weighted_sum_backward(Grad dA, Grad dV, const Mat& dO, const Mat& A, const Mat& V) {
  matmul_nt(dA.m, dO, V, !dA.fresh);
  matmul_tn(dV.m, A, dO, !dV.fresh);
}

namespace {

// μ and 1/σ of rows [i0, i0 + lanes) of X (σ = √(var + ε)), a row per lane.  A square is rounded
// before it is added (no fused multiply-add), as where a loop over each row was vectorised.
[[gnu::optimize("fp-contract=off")]] void row_stats(const Mat& X, Index i0, Index rows, Scalar eps,
                                                    Scalar (&mean)[lanes], Scalar (&rstd)[lanes]) {
  using simd::Vec;
  const Index d = X.cols();
  const RowLanes row_lanes(X, i0, rows);
  Vec block[lanes], sum = {};
  for (Index c0 = 0; c0 < d; c0 += lanes) {
    row_lanes.columns(c0, block);
    for (Index e = 0; e < row_lanes.width(c0); ++e) sum += block[e];
  }
  const Vec mu = sum / static_cast<Scalar>(d);
  Vec squares = {};
  for (Index c0 = 0; c0 < d; c0 += lanes) {
    row_lanes.columns(c0, block);
    for (Index e = 0; e < row_lanes.width(c0); ++e) squares += (block[e] - mu) * (block[e] - mu);
  }
  Scalar sq[lanes];
  simd::store(mean, mu);
  simd::store(sq, squares);
  for (Index r = 0; r < lanes; ++r) rstd[r] = 1.0 / std::sqrt(sq[r] / static_cast<Scalar>(d) + eps);
}

void layer_norm_rows(Mat& Y, Mat& stats, const Mat& X, const Mat& gamma, const Mat& beta, Scalar eps, Index begin,
                     Index end) {
  const Index d = X.cols();
  const Scalar* g = gamma.data();
  const Scalar* b = beta.data();
  for (Index i0 = begin; i0 < end; i0 += lanes) {
    Scalar mean[lanes], rstd[lanes];
    row_stats(X, i0, end - i0, eps, mean, rstd);
    for (Index r = 0; r < std::min<Index>(lanes, end - i0); ++r) {
      const Index t = i0 + r;
      stats(t, 0) = mean[r];
      stats(t, 1) = rstd[r];
      const Scalar* x = X.data() + t * d;
      Scalar* y = Y.data() + t * d;
      for (Index c = 0; c < d; ++c) y[c] = (x[c] - mean[r]) * rstd[r] * g[c] + b[c];
    }
  }
}
}  // namespace

void layer_norm_forward(Mat& Y, Mat& stats, const Mat& X, const Mat& gamma, const Mat& beta, Scalar eps) {
  const Eigen::Index d = X.cols();
  reshape(Y, X.rows(), d);
  reshape(stats, X.rows(), 2);
  for_row_parts(X.rows(), d,
                [&](Index begin, Index end) { layer_norm_rows(Y, stats, X, gamma, beta, eps, begin, end); });
}

namespace {
// Σ_c dx̂[t,c] and Σ_c dx̂[t,c] x̂[t,c] of rows [i0, i0 + lanes), a row per lane; each product
// rounded before it is added, as in row_stats.
[[gnu::optimize("fp-contract=off")]] void dxhat_sums(const Mat& dY, const Mat& X, const Scalar* g, const Mat& stats,
                                                     Index i0, Index rows, Scalar (&sum_dxhat)[lanes],
                                                     Scalar (&sum_dxhat_xhat)[lanes]) {
  using simd::Vec;
  Vec stat[lanes];
  RowLanes(stats, i0, rows).columns(0, stat);  // stat[0][r] = μ, stat[1][r] = 1/σ of row i0 + r
  const Vec mean = stat[0], rstd = stat[1];
  const RowLanes x_lanes(X, i0, rows), dy_lanes(dY, i0, rows);
  Vec x[lanes], dy[lanes], s = {}, sx = {};
  for (Index c0 = 0; c0 < X.cols(); c0 += lanes) {
    x_lanes.columns(c0, x);
    dy_lanes.columns(c0, dy);
    for (Index e = 0; e < x_lanes.width(c0); ++e) {
      const Vec xhat = (x[e] - mean) * rstd, dxhat = dy[e] * simd::splat(g[c0 + e]);
      s += dxhat;
      sx += dxhat * xhat;
    }
  }
  simd::store(sum_dxhat, s);
  simd::store(sum_dxhat_xhat, sx);
}

// dX for rows [begin, end): x̂ = (x − μ)/σ, dx̂ = dy ⊙ γ
void layer_norm_backward_rows(Grad& dX, const Mat& dY, const Mat& X, const Mat& gamma, const Mat& stats, Index begin,
                              Index end) {
  const Index d = X.cols();
  const Scalar* g = gamma.data();
  for (Index i0 = begin; i0 < end; i0 += lanes) {
    Scalar sum_dxhat[lanes], sum_dxhat_xhat[lanes];
    dxhat_sums(dY, X, g, stats, i0, end - i0, sum_dxhat, sum_dxhat_xhat);
    for (Index r = 0; r < std::min<Index>(lanes, end - i0); ++r) {
      const Index t = i0 + r;
      const Scalar mean = stats(t, 0), rstd = stats(t, 1);
      const Scalar* x = X.data() + t * d;
      const Scalar* dy = dY.data() + t * d;
      Scalar* dx = dX.m.data() + t * d;
      const Scalar mean_dxhat = sum_dxhat[r] / static_cast<Scalar>(d);
      const Scalar mean_dxhat_xhat = sum_dxhat_xhat[r] / static_cast<Scalar>(d);
      put_row(dX.fresh, dx, d, [&](Index c) {
        const Scalar xhat = (x[c] - mean) * rstd;
        return (dy[c] * g[c] - mean_dxhat - xhat * mean_dxhat_xhat) * rstd;
      });
    }
  }
}

// dγ[c] += Σ_t dy[t,c] x̂[t,c] for columns [begin, end), each a sum over t in order from 0
void layer_norm_dgamma_columns(Scalar* dg, const Mat& dY, const Mat& X, const Mat& stats, Index begin, Index end) {
  const Index d = X.cols();
  for (Index t = 0; t < X.rows(); ++t) {
    const Scalar mean = stats(t, 0), rstd = stats(t, 1);
    const Scalar* x = X.data() + t * d;
    const Scalar* dy = dY.data() + t * d;
    for (Index c = begin; c < end; ++c) dg[c] += dy[c] * ((x[c] - mean) * rstd);
  }
}
}  // namespace

// dX by ranges of rows, dγ by ranges of columns: the same loops whether cut or not.
void layer_norm_backward(Grad dX, Grad dgamma, Grad dbeta, const Mat& dY, const Mat& X, const Mat& gamma,
                         const Mat& stats) {
  const Index d = X.cols(), T = X.rows();
  for_row_parts(T, d, [&](Index begin, Index end) { layer_norm_backward_rows(dX, dY, X, gamma, stats, begin, end); });
  dgamma.clear_if_fresh();
  Scalar* dg = dgamma.m.data();
  for_row_parts(d, T, [&](Index begin, Index end) { layer_norm_dgamma_columns(dg, dY, X, stats, begin, end); });
  dbeta.put(dY.colwise().sum());
}

void relu_forward(Mat& Y, const Mat& X) {
  rows_of(
      Y, [](auto&& y, const auto& x) { y = x.cwiseMax(0.0); }, X);
}

void relu_backward(Grad dX, const Mat& dY, const Mat& X) {
  dX.put_rows((X.array() > 0).select(dY.array(), 0.0).matrix());
}

namespace {
constexpr Scalar inv_sqrt2 = 0.70710678118654752440, inv_sqrt_2pi = 0.39894228040143267794;  // 1/√2, 1/√(2π)
}  // namespace

Scalar normal_cdf(Scalar x) { return 0.5 * (1 + std::erf(x * inv_sqrt2)); }

void gelu_forward(Mat& Y, const Mat& X) {
  rows_of(
      Y, [](auto&& y, const auto& x) { y = x.unaryExpr([](Scalar v) { return v * normal_cdf(v); }); }, X);
}

Scalar gelu_derivative(Scalar x) { return normal_cdf(x) + x * inv_sqrt_2pi * std::exp(-0.5 * x * x); }

void gelu_backward(Grad dX, const Mat& dY, const Mat& X) {
  dX.put_rows((X.unaryExpr([](Scalar x) { return gelu_derivative(x); }).array() * dY.array()).matrix());
}

void stack_rows_forward(Mat& Y, const std::vector<const Mat*>& X) {
  reshape(Y, static_cast<Eigen::Index>(X.size()), X.front()->cols());
  for (std::size_t t = 0; t < X.size(); ++t) Y.row(static_cast<Eigen::Index>(t)) = X[t]->row(0);
}

void stack_rows_backward(Grad dX_t, const Mat& dY, int t) { dX_t.put(dY.row(t)); }

void tanh_forward(Mat& Y, const Mat& X) {
  rows_of(
      Y, [](auto&& y, const auto& x) { y = x.array().tanh().matrix(); }, X);
}

void tanh_backward(Grad dX, const Mat& dY, const Mat& Y) {
  dX.put_rows((dY.array() * (1 - Y.array().square())).matrix());
}

namespace {
Scalar sigmoid(Scalar x) { return 1 / (1 + std::exp(-x)); }
}  // namespace

void gru_cell_forward(Mat& H_next, Mat& gates, const Mat& X, const Mat& H, const Mat& W_x, const Mat& W_h,
                      const Mat& b_x, const Mat& b_h) {
  const Eigen::Index d = H.cols();
  const Mat from_x = (X * W_x.transpose()).rowwise() + b_x.row(0);  // (B,3d)
  const Mat from_h = (H * W_h.transpose()).rowwise() + b_h.row(0);  // (B,3d)
  reshape(gates, H.rows(), 4 * d);
  reshape(H_next, H.rows(), d);
  for (Eigen::Index b = 0; b < H.rows(); ++b)
    for (Eigen::Index k = 0; k < d; ++k) {
      const Scalar r = sigmoid(from_x(b, k) + from_h(b, k));
      const Scalar z = sigmoid(from_x(b, d + k) + from_h(b, d + k));
      const Scalar m = from_h(b, 2 * d + k);
      const Scalar n = std::tanh(from_x(b, 2 * d + k) + r * m);
      gates(b, k) = r;
      gates(b, d + k) = z;
      gates(b, 2 * d + k) = n;
      gates(b, 3 * d + k) = m;
      H_next(b, k) = (1 - z) * n + z * H(b, k);
    }
}

GruSlopes gru_slopes(const Mat& gates, const Mat& H, int b, int k) {
  const Eigen::Index d = H.cols();
  const Scalar r = gates(b, k), z = gates(b, d + k), n = gates(b, 2 * d + k), m = gates(b, 3 * d + k);
  const Scalar a_n = (1 - z) * (1 - n * n);
  return {a_n * m * r * (1 - r), (H(b, k) - n) * z * (1 - z), a_n, a_n * r};
}

void gru_cell_backward(Grad dX, Grad dH, Grad dW_x, Grad dW_h, Grad db_x, Grad db_h, const Mat& dH_next, const Mat& X,
                       const Mat& H, const Mat& W_x, const Mat& W_h, const Mat& gates) {
  const int d = static_cast<int>(H.cols());
  Mat g_x(H.rows(), 3 * d), g_h(H.rows(), 3 * d);
  for (int b = 0; b < H.rows(); ++b)
    for (int k = 0; k < d; ++k) {
      const GruSlopes a = gru_slopes(gates, H, b, k);
      const Scalar up = dH_next(b, k);
      g_x(b, k) = g_h(b, k) = up * a.r;
      g_x(b, d + k) = g_h(b, d + k) = up * a.z;
      g_x(b, 2 * d + k) = up * a.n;
      g_h(b, 2 * d + k) = up * a.m;
    }
  dX.put(g_x * W_x);
  dH.put(g_h * W_h + (dH_next.array() * gates.middleCols(d, d).array()).matrix());
  dW_x.put(g_x.transpose() * X);
  dW_h.put(g_h.transpose() * H);
  db_x.put(g_x.colwise().sum());
  db_h.put(g_h.colwise().sum());
}

void additive_scores_forward(Mat& E, Mat& hidden, const Mat& S, const Mat& K, const Mat& W_s, const Mat& v) {
  const Eigen::Index T_q = S.rows(), T_k = K.rows();
  const Mat from_s = S * W_s.transpose();  // (T_q,a)
  reshape(hidden, T_q * T_k, K.cols());
  reshape(E, T_q, T_k);
  for (Eigen::Index i = 0; i < T_q; ++i)
    for (Eigen::Index j = 0; j < T_k; ++j) {
      hidden.row(i * T_k + j) = (from_s.row(i) + K.row(j)).array().tanh();
      E(i, j) = hidden.row(i * T_k + j).dot(v.row(0));
    }
}

void additive_scores_backward(Grad dS, Grad dK, Grad dW_s, Grad dv, const Mat& dE, const Mat& S, const Mat& W_s,
                              const Mat& v, const Mat& hidden) {
  const Eigen::Index T_q = dE.rows(), T_k = dE.cols(), a = W_s.rows();
  Mat G_s = Mat::Zero(T_q, a), G_k = Mat::Zero(T_k, a), gv = Mat::Zero(1, a);
  for (Eigen::Index i = 0; i < T_q; ++i)
    for (Eigen::Index j = 0; j < T_k; ++j) {
      const auto t = hidden.row(i * T_k + j).array();
      const Eigen::Array<Scalar, 1, Eigen::Dynamic> g = dE(i, j) * v.row(0).array() * (1 - t.square());
      G_s.row(i) += g.matrix();
      G_k.row(j) += g.matrix();
      gv += dE(i, j) * t.matrix();
    }
  dS.put(G_s * W_s);
  dK.put(G_k);
  dW_s.put(G_s.transpose() * S);
  dv.put(gv);
}

int count_targets(const Mat& targets, int pad_id) {
  int n = 0;
  for (Eigen::Index t = 0; t < targets.rows(); ++t) n += id_at(targets, t) != pad_id;
  return n;
}

void cross_entropy_forward(Mat& L, Mat& P, Mat& stats, const Mat& Z, const Mat& targets, int pad_id) {
  softmax_rows(P, Z, nullptr, &stats);
  const int n = count_targets(targets, pad_id);
  Scalar sum = 0;
  for (Eigen::Index t = 0; t < Z.rows(); ++t) {
    const int y = id_at(targets, t);
    if (y == pad_id) continue;
    // −log P[t,y] = log z − (Z[t,y] − m), stable even when P[t,y] underflows
    sum += std::log(stats(t, 1)) - (Z(t, y) - stats(t, 0));
  }
  reshape(L, 1, 1);
  L(0, 0) = n > 0 ? sum / n : 0.0;
}

void cross_entropy_backward(Grad dZ, Scalar dL, const Mat& P, const Mat& targets, int pad_id) {
  dZ.clear_if_fresh();
  const int n = count_targets(targets, pad_id);
  if (n == 0) return;
  for_row_parts(P.rows(), P.cols(), [&](Index begin, Index end) {
    for (Index t = begin; t < end; ++t) {
      const int y = id_at(targets, t);
      if (y == pad_id) continue;
      dZ.m.row(t) += (dL / n) * P.row(t);
      dZ.m(t, y) -= dL / n;
    }
  });
}

void sum_forward(Mat& L, const Mat& Y) {
  reshape(L, 1, 1);
  L(0, 0) = Y.sum();
}

void sum_backward(Grad dY, Scalar dL) { dY.put_rows(Mat::Constant(dY.m.rows(), dY.m.cols(), dL)); }

}  // namespace attnviz::ops

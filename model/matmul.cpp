#include "model/matmul.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace attnviz {

namespace {

using Index = Eigen::Index;

// Eight doubles: one AVX-512 register, or two or four narrower ones where the CPU has no
// AVX-512 (the compiler splits the vector).
using Vec = Scalar __attribute__((vector_size(64)));
constexpr Index lanes = 8;

Vec load(const Scalar* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void store(Scalar* p, Vec v) { std::memcpy(p, &v, sizeof v); }
Vec splat(Scalar s) { return Vec{s, s, s, s, s, s, s, s}; }

enum class Write { assign, add, stream };

// rows[e][r] ← rows[r][e]: an 8 × 8 block transposed in registers, in three rounds that each
// interleave pairs of vectors (1, then 2, then 4 lanes at a time).
void transpose8(Vec (&rows)[8]) {
  using Lanes = long __attribute__((vector_size(64)));
  const Lanes even1 = {0, 8, 2, 10, 4, 12, 6, 14}, odd1 = {1, 9, 3, 11, 5, 13, 7, 15};
  const Lanes even2 = {0, 1, 8, 9, 4, 5, 12, 13}, odd2 = {2, 3, 10, 11, 6, 7, 14, 15};
  const Lanes even4 = {0, 1, 2, 3, 8, 9, 10, 11}, odd4 = {4, 5, 6, 7, 12, 13, 14, 15};
  Vec a[8], b[8];
  for (int p = 0; p < 8; p += 2) {
    a[p] = __builtin_shuffle(rows[p], rows[p + 1], even1);
    a[p + 1] = __builtin_shuffle(rows[p], rows[p + 1], odd1);
  }
  for (int q = 0; q < 8; q += 4)
    for (int o = 0; o < 2; ++o) {
      b[q + o] = __builtin_shuffle(a[q + o], a[q + o + 2], even2);
      b[q + o + 2] = __builtin_shuffle(a[q + o], a[q + o + 2], odd2);
    }
  // b[0..3]: lanes {0,4}, {1,5}, {2,6}, {3,7} of rows 0–3; b[4..7]: the same of rows 4–7.
  for (int e = 0; e < 4; ++e) {
    rows[e] = __builtin_shuffle(b[e], b[e + 4], even4);
    rows[e + 4] = __builtin_shuffle(b[e], b[e + 4], odd4);
  }
}

void stream_store(Scalar* p, Vec v) {
#if defined(__AVX512F__)
  if (reinterpret_cast<std::uintptr_t>(p) % 64 == 0) {
    _mm512_stream_pd(p, reinterpret_cast<__m512d>(v));
    return;
  }
#endif
  store(p, v);
}

void stream_fence() {
#if defined(__AVX512F__)
  _mm_sfence();
#endif
}

// A general product C(m,n) (=|+=) Σ_k a(i,k) · b(k,j), where
//   a(i,k) = a.p[i·a.row + k·a.depth]          (any strides: it is read one scalar at a time),
//   b(k,j) = b.p[k·b.ld + j]                   (rows contiguous: read as vectors),
//   C(i,j) = c.p[i·c.row + j·c.col]            (c.col = 1, or c.row = 1 for a transposed C).
struct ScalarSide {
  const Scalar* p;
  Index row, depth;
  Scalar at(Index i, Index k) const { return p[i * row + k * depth]; }
};
struct VectorSide {
  const Scalar* p;
  Index ld;
};
struct Out {
  Scalar* p;
  Index row, col;
  Scalar& at(Index i, Index j) const { return p[i * row + j * col]; }
};

// Writes the first `count` lanes of v to C(i, j), C(i, j+1), …
[[gnu::always_inline]] inline void put(Out c, Index i, Index j, Vec v, Index count, Write write) {
  if (c.col == 1 && count == lanes) {
    Scalar* dst = &c.at(i, j);
    if (write == Write::assign) store(dst, v);
    else if (write == Write::add) store(dst, load(dst) + v);
    else stream_store(dst, v);
    return;
  }
  for (Index e = 0; e < count; ++e) {
    Scalar& dst = c.at(i, j + e);
    dst = write == Write::add ? dst + v[e] : v[e];
  }
}

// One register tile: rows [i, i+MR) × columns [j, j + cols), cols ≤ NV·8, summed over the
// whole depth.  b is read NV whole vectors across (see `padded`).
template <int MR, int NV>
[[gnu::always_inline]] inline void tile(Index depth, ScalarSide a, VectorSide b, Out c, Index i, Index j, Index cols, Write write) {
  Vec acc[MR][NV] = {};
  const Scalar* ap = a.p + i * a.row;
  const Scalar* bp = b.p + j;
  for (Index k = 0; k < depth; ++k, ap += a.depth, bp += b.ld) {
    Vec bv[NV];
    for (int v = 0; v < NV; ++v) bv[v] = load(bp + v * lanes);
    for (int r = 0; r < MR; ++r) {
      const Vec s = splat(ap[r * a.row]);
      for (int v = 0; v < NV; ++v) acc[r][v] += s * bv[v];
    }
  }
  if constexpr (MR == lanes) {
    if (c.row == 1) {
      // A transposed C: each 8 × 8 block is turned round, so that a tile column (8 rows of C
      // at one column) lands as a vector along a row of C.
      for (int v = 0; v < NV; ++v) {
        Vec block[lanes];
        for (int r = 0; r < MR; ++r) block[r] = acc[r][v];
        transpose8(block);
        const Index left = std::min(cols - v * lanes, lanes);
        for (Index e = 0; e < left; ++e) {
          Scalar* dst = &c.at(i, j + v * lanes + e);
          store(dst, write == Write::add ? load(dst) + block[e] : block[e]);
        }
      }
      return;
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) {
      const Index left = cols - v * lanes;
      if (left > 0) put(c, i + r, j + v * lanes, acc[r][v], left < lanes ? left : lanes, write);
    }
}

// Columns [j, j + cols) of every row: MR rows at a time, then one at a time.
template <int MR, int NV>
void strip(Index m, Index depth, ScalarSide a, VectorSide b, Out c, Index j, Index cols, Write write) {
  Index i = 0;
  for (; i + MR <= m; i += MR) tile<MR, NV>(depth, a, b, c, i, j, cols, write);
  for (; i < m; ++i) tile<1, NV>(depth, a, b, c, i, j, cols, write);
}

void finish(Write write) {
  if (write == Write::stream) stream_fence();
}

// Strips NV vectors wide, so each strip of b is reused from cache by every block of rows; the
// last, narrower strip takes the columns left over.
template <int MR, int NV>
void product(Index m, Index n, Index depth, ScalarSide a, VectorSide b, Out c, Write write) {
  constexpr Index width = NV * lanes;
  Index j = 0;
  for (; j + width <= n; j += width) strip<MR, NV>(m, depth, a, b, c, j, width, write);
  const Index left = n - j;
  if constexpr (NV > 3)
    if (left > 3 * lanes) return strip<MR, 4>(m, depth, a, b, c, j, left, write), finish(write);
  if (left > 2 * lanes) strip<MR, 3>(m, depth, a, b, c, j, left, write);
  else if (left > lanes) strip<MR, 2>(m, depth, a, b, c, j, left, write);
  else if (left > 0) strip<MR, 1>(m, depth, a, b, c, j, left, write);
  finish(write);
}

// b with its rows readable a whole vector past column n: itself when n is a multiple of 8,
// else a copy with zero columns added, in a reused buffer.
VectorSide padded(VectorSide b, Index depth, Index n) {
  if (n % lanes == 0) return b;
  thread_local std::vector<Scalar> buffer;
  const Index ld = (n / lanes + 1) * lanes;
  buffer.assign(static_cast<std::size_t>(depth * ld), 0.0);
  for (Index k = 0; k < depth; ++k) std::memcpy(buffer.data() + k * ld, b.p + k * b.ld, sizeof(Scalar) * static_cast<std::size_t>(n));
  return {buffer.data(), ld};
}

void run(Index m, Index n, Index depth, ScalarSide a, VectorSide b, Out c, Write write) {
  if (m == 0 || n == 0) return;
  product<8, 3>(m, n, depth, a, padded(b, depth, n), c, write);
}

// Mᵀ (cols × rows) in a reused buffer whose rows are padded with zeros to a multiple of 8.
VectorSide transposed(const Mat& M) {
  thread_local std::vector<Scalar> buffer;
  const Index ld = (M.rows() + lanes - 1) / lanes * lanes;
  buffer.resize(static_cast<std::size_t>(M.cols() * ld));
  // Written in order (a row of Mᵀ at a time), read down columns of M: the rows of a short M
  // stay in cache, where scattered writes would miss it for every element.
  const Scalar* m = M.data();
  for (Index c = 0; c < M.cols(); ++c) {
    Scalar* out = buffer.data() + c * ld;
    for (Index r = 0; r < M.rows(); ++r) out[r] = m[r * M.cols() + c];
    for (Index r = M.rows(); r < ld; ++r) out[r] = 0;
  }
  return {buffer.data(), ld};
}

void prepare(Mat& C, Index rows, Index cols, bool accumulate) {
  if (!accumulate) reshape(C, rows, cols);
}

}  // namespace

void matmul_nn(Mat& C, const Mat& A, const Mat& B, bool accumulate) {
  prepare(C, A.rows(), B.cols(), accumulate);
  run(A.rows(), B.cols(), A.cols(), {A.data(), A.cols(), 1}, {B.data(), B.cols()}, {C.data(), C.cols(), 1},
      accumulate ? Write::add : Write::assign);
}

void matmul_tn(Mat& C, const Mat& A, const Mat& B, bool accumulate, bool stream) {
  prepare(C, A.cols(), B.cols(), accumulate);
  const Write write = accumulate ? Write::add : stream ? Write::stream : Write::assign;
  run(A.cols(), B.cols(), A.rows(), {A.data(), 1, A.cols()}, {B.data(), B.cols()}, {C.data(), C.cols(), 1}, write);
}

void matmul_nt(Mat& C, const Mat& A, const Mat& B, bool accumulate) {
  prepare(C, A.rows(), B.rows(), accumulate);
  const Write write = accumulate ? Write::add : Write::assign;
  const Index m = A.rows(), n = B.rows(), depth = A.cols();
  if (m < n) {
    // Cᵀ = B Aᵀ: the short A is transposed (T × d, cheap), the long B is read in place, and
    // the tiles' columns run down C's columns.
    run(n, m, depth, {B.data(), B.cols(), 1}, transposed(A), {C.data(), 1, C.cols()}, write);
  } else {
    run(m, n, depth, {A.data(), A.cols(), 1}, transposed(B), {C.data(), C.cols(), 1}, write);
  }
}

}  // namespace attnviz

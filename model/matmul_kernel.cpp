#include "model/matmul_kernel.h"

#include "model/simd.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace attnviz::kernel {

namespace {

using ScalarSide = ModelProduct::ScalarSide;
using VectorSide = ModelProduct::VectorSide;
using Out = ModelProduct::Out;

using simd::first_lanes;
using simd::FirstLanes;
using simd::lanes;
using simd::load;
using simd::load_first;
using simd::splat;
using simd::store;
using simd::store_first;
using simd::transpose;
using simd::Vec;

void stream_store(Scalar* p, Vec v) {
#if defined(__AVX512F__)
  if (reinterpret_cast<std::uintptr_t>(p) % 64 == 0) {
    _mm512_stream_pd(p, reinterpret_cast<__m512d>(v));
    return;
  }
#endif
  store(p, v);
}

void finish(Write write) {
#if defined(__AVX512F__)
  if (write == Write::stream) _mm_sfence();
#endif
}

// Writes the first `count` lanes of v to C(i, j), C(i, j+1), …
[[gnu::always_inline]] inline void put(Out c, Index i, Index j, Vec v, Index count, Write write) {
  Scalar* dst = c.at(i, j);
  if (c.col != 1 || (count < lanes && write == Write::add)) {
    // One at a time where a masked load would wait for the masked store (or the zero-fill)
    // that wrote the same lanes just before to reach the cache: it cannot take the value from
    // the store buffer, a scalar load can.
    // v goes through a buffer of its own: indexing its lanes by a run-time e would keep every
    // accumulator of the tile in memory rather than in registers.
    alignas(64) Scalar lane[lanes];
    store(lane, v);
    for (Index e = 0; e < count; ++e) dst[e * c.col] = write == Write::add ? dst[e * c.col] + lane[e] : lane[e];
  } else if (count < lanes) {
    const FirstLanes mask = first_lanes(count);
    store_first(dst, write == Write::add ? load_first(dst, mask) + v : v, mask);
  } else if (write == Write::stream) {
    stream_store(dst, v);
  } else {
    store(dst, write == Write::add ? load(dst) + v : v);
  }
}

// Lines of a block of rows (`ld` apart, `width` values each) fetched ahead, a line a call, in
// the order they lie in memory: each row from its start, then the next row.  They go to the
// outer caches, not the first level, which holds what is being computed.
class LineFetcher {
 public:
  LineFetcher(const Scalar* first, Index ld, Index width, Index rows)
      : row_(first), ld_(ld), width_(width), rows_left_(rows) {}
  void fetch() {
    if (rows_left_ == 0) return;
    __builtin_prefetch(row_ + at_, 0, 1);
    at_ += lanes;
    if (at_ < width_) return;
    at_ = 0;
    if (--rows_left_ > 0) row_ += ld_;  // never past the last row
  }

 private:
  const Scalar* row_;
  Index ld_, width_, rows_left_, at_ = 0;
};

// Register tiles of MR rows × NV vectors.  With AVX-512, 8 × 3 accumulators, 3 vectors of b
// and a broadcast fill 28 of its 32 registers; with 16 registers (AVX, SSE2), 4 × 3 fill 16.
// The columns of a last strip of 4 vectors go in tiles of MR4 rows: 24 and 12 accumulators.
// Each strip of b is reused from cache by every block of MR rows; but where C is tall and a few
// strips wide (the weight matrix is a, C = (X Wᵀ)ᵀ at T ≤ 72 tokens with AVX-512), each block
// of MR rows of a is reused by every strip instead, so that the weights are read once.
#if defined(__AVX512F__)
constexpr int MR = 8, NV = 3, MR4 = 6;
#else
constexpr int MR = 4, NV = 3, MR4 = 3;
#endif
constexpr Index width = NV * lanes;

// acc[r][v] += Σ_k a(i + r, k) · b(k, j + lanes·v …), k = 0 … depth − 1 in order: rows
// [i, i+MR) × columns [j, j + cols) of a register tile; cols ≤ NV·lanes, and only the last vector may be
// partial.  With `lines`, one of its lines is fetched at each k.  With `next_rows`, MR rows of a
// from there on (a.row apart, each contiguous in k: the next tile's) are fetched a line of each
// every 8 k.
template <int MR, int NV, bool Partial>
[[gnu::always_inline]] inline void accumulate(Vec (&acc)[MR][NV], Index depth, ScalarSide a, VectorSide b, Index i,
                                              Index j, Index cols, LineFetcher* lines = nullptr,
                                              const Scalar* next_rows = nullptr) {
  const FirstLanes last_mask = first_lanes(cols - (NV - 1) * lanes);
  const Scalar* ap = a.p + i * a.row;
  const Scalar* bp = b.p + j;
  for (Index k = 0; k < depth; ++k, ap += a.depth, bp += b.ld) {
    if (lines) lines->fetch();
    if (next_rows && k % lanes == 0)
      for (int r = 0; r < MR; ++r) __builtin_prefetch(next_rows + r * a.row + k);
    Vec bv[NV];
    for (int v = 0; v < NV; ++v)
      bv[v] = Partial && v == NV - 1 ? load_first(bp + v * lanes, last_mask) : load(bp + v * lanes);
    for (int r = 0; r < MR; ++r) {
      const Vec s = splat(ap[r * a.row]);
      for (int v = 0; v < NV; ++v) acc[r][v] += s * bv[v];
    }
  }
}

// Writes a tile's sums to C (over it, or added to it).
template <int MR, int NV>
[[gnu::always_inline]] inline void output(const Vec (&acc)[MR][NV], Out c, Index i, Index j, Index cols, Write write) {
  const Index last = cols - (NV - 1) * lanes;  // lanes of the last vector
  if constexpr (MR >= 6 && MR <= lanes) {
    if (c.row == 1) {
      // A transposed C (a full tile of AVX-512: 8 rows, or 6 of 4 vectors): each block of
      // MR × 8 is turned round as 8 × 8, so that a tile column (MR rows of C at one column) is
      // written as one vector, or its first MR lanes, along a row of C; MR scalars a column would go to MR
      // lines of C, 4 kB apart at some widths, where they evict one another.
      // Loops unrolled, so that no register is indexed at run time (which would put every
      // accumulator in memory).
      const FirstLanes rows = first_lanes(MR);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        Vec block[lanes] = {};
        for (int r = 0; r < MR; ++r) block[r] = acc[r][v];
        transpose(block);
        const Index count = v == NV - 1 ? last : lanes;
#pragma GCC unroll 8
        for (int e = 0; e < lanes; ++e) {
          if (e == count) break;
          Scalar* dst = c.at(i, j + v * lanes + e);
          if constexpr (MR == lanes)
            store(dst, write == Write::add ? load(dst) + block[e] : block[e]);
          else
            store_first(dst, write == Write::add ? load_first(dst, rows) + block[e] : block[e], rows);
        }
      }
      return;
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)  // unrolled, as above
#pragma GCC unroll 3
    for (int v = 0; v < NV; ++v) put(c, i + r, j + v * lanes, acc[r][v], v == NV - 1 ? last : lanes, write);
}

// One register tile of C, summed over the whole depth.
template <int MR, int NV, bool Partial>
[[gnu::always_inline]] inline void tile(Index depth, ScalarSide a, VectorSide b, Out c, Index i, Index j, Index cols,
                                        Write write, const Scalar* next_rows = nullptr) {
  Vec acc[MR][NV] = {};
  accumulate<MR, NV, Partial>(acc, depth, a, b, i, j, cols, nullptr, next_rows);
  // The sums are written from a copy: where `acc` itself is written (a tile of a few rows, or
  // with a partial vector), GCC keeps it in memory and stores every accumulator at each k.
  Vec sums[MR][NV];
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) sums[r][v] = acc[r][v];
  output<MR, NV>(sums, c, i, j, cols, write);
}

// One tile of `rows` rows (0 to 7: none for 0) from row i, summed over the whole depth.
template <int NV, bool Partial>
void tile_of_rows(Index rows, Index depth, const ScalarSide& a, const VectorSide& b, const Out& c, Index i, Index j,
                  Index cols, Write write) {
  switch (rows) {
    case 7: tile<7, NV, Partial>(depth, a, b, c, i, j, cols, write); break;
    case 6: tile<6, NV, Partial>(depth, a, b, c, i, j, cols, write); break;
    case 5: tile<5, NV, Partial>(depth, a, b, c, i, j, cols, write); break;
    case 4: tile<4, NV, Partial>(depth, a, b, c, i, j, cols, write); break;
    case 3: tile<3, NV, Partial>(depth, a, b, c, i, j, cols, write); break;
    case 2: tile<2, NV, Partial>(depth, a, b, c, i, j, cols, write); break;
    case 1: tile<1, NV, Partial>(depth, a, b, c, i, j, cols, write); break;
    default: break;
  }
}

// Columns [j, j + cols) of rows [i0, i1): MR rows at a time, then the 1 to MR − 1 rows left in
// one tile, so that their sums run side by side rather than one row's after another's.
// With `fetch_rows`, each tile fetches the rows of a the next one reads (a's rows contiguous:
// a.depth = 1), in this part or the next.
template <int MR, int NV, bool Partial>
void strip(Index i0, Index i1, Index depth, const ScalarSide& a, const VectorSide& b, const Out& c, Index j, Index cols,
           Write write, bool fetch_rows = false) {
  Index i = i0;
  for (; i + MR <= i1; i += MR) {
    const Scalar* next_rows = fetch_rows && i + 2 * MR <= a.rows ? a.p + (i + MR) * a.row : nullptr;
    tile<MR, NV, Partial>(depth, a, b, c, i, j, cols, write, next_rows);
  }
  tile_of_rows<NV, Partial>(i1 - i, depth, a, b, c, i, j, cols, write);
}

// Full strips (NV vectors each) of columns [j0, j1) × rows [i0, i1), with k in blocks of 128
// taken outermost, for a b that comes from memory: while a block is computed, the next block
// (128 rows of these columns) is fetched row after row, as the CPU reads memory fastest, rather
// than strip after strip, a strip's width of each row at a time; a strip's part of a block,
// which each tile of MR rows reads, stays in the core's first-level cache.  Between blocks each
// tile's sums wait in `carry`, stored and loaded back as they are: an element is still one chain
// of multiply-adds over k in order.  Rows left below the last tile of MR are summed whole, strip
// by strip.
void strips_in_blocks(Index i0, Index i1, Index j0, Index j1, Index depth, const ScalarSide& a, const VectorSide& b,
                      const Out& c, Write write) {
  constexpr Index cols = width;
  constexpr Index tile_vectors = MR * NV;
  constexpr Index block = 128;
  thread_local std::vector<Vec> carry;
  const Index tiles = (i1 - i0) / MR, strips = (j1 - j0) / cols;
  if (carry.size() < static_cast<std::size_t>(strips * tiles * tile_vectors))
    carry.resize(static_cast<std::size_t>(strips * tiles * tile_vectors));
  // A line a k: the block's k steps, strips · tiles · 128, fetch the next block's 128 · strips · 3
  // lines where there are 3 tiles or more (24 tokens), some of them below that.
  for (Index k0 = 0; k0 < depth; k0 += block) {
    const Index length = std::min(block, depth - k0);
    const bool last = k0 + length == depth;
    const ScalarSide a_k{a.p + k0 * a.depth, a.row, a.depth, a.rows};
    const VectorSide b_k{b.p + k0 * b.ld, b.ld, b.readable};
    const Index next_rows = last ? 0 : std::min(block, depth - k0 - block);
    LineFetcher next(next_rows > 0 ? b.p + (k0 + block) * b.ld + j0 : b.p, b.ld, j1 - j0, next_rows);
    for (Index s = 0; s < strips; ++s) {
      const Index j = j0 + s * cols;
      for (Index t = 0; t < tiles; ++t) {
        Vec acc[MR][NV] = {};
        Vec* kept = carry.data() + (s * tiles + t) * tile_vectors;
        if (k0 > 0)
          for (int r = 0; r < MR; ++r)
            for (int v = 0; v < NV; ++v) acc[r][v] = kept[r * NV + v];
        accumulate<MR, NV, false>(acc, length, a_k, b_k, i0 + t * MR, j, cols, &next);
        if (!last) {
          for (int r = 0; r < MR; ++r)
            for (int v = 0; v < NV; ++v) kept[r * NV + v] = acc[r][v];
        } else {
          output<MR, NV>(acc, c, i0 + t * MR, j, cols, write);
        }
      }
    }
  }
  const Index i = i0 + tiles * MR;
  for (Index j = j0; j < j0 + strips * cols; j += cols)
    tile_of_rows<NV, false>(i1 - i, depth, a, b, c, i, j, cols, write);
}

// The last strip: 1 to 3 vectors wide, the last of them full or not (read in part only where
// b has no readable padding).
template <int MR>
void last_strip(Index i0, Index i1, Index depth, const ScalarSide& a, const VectorSide& b, const Out& c, Index j,
                Index cols, Write write) {
  const bool partial = cols % lanes != 0 && j + (cols + lanes - 1) / lanes * lanes > b.readable;
  if (cols > 2 * lanes) {
    partial ? strip<MR, 3, true>(i0, i1, depth, a, b, c, j, cols, write)
            : strip<MR, 3, false>(i0, i1, depth, a, b, c, j, cols, write);
  } else if (cols > lanes) {
    partial ? strip<MR, 2, true>(i0, i1, depth, a, b, c, j, cols, write)
            : strip<MR, 2, false>(i0, i1, depth, a, b, c, j, cols, write);
  } else {
    partial ? strip<MR, 1, true>(i0, i1, depth, a, b, c, j, cols, write)
            : strip<MR, 1, false>(i0, i1, depth, a, b, c, j, cols, write);
  }
}

// A matrix of over 512 kB (a weight matrix of base's) is not in cache when a product reads it.
bool from_memory(Index rows, Index cols) {
  return static_cast<double>(rows) * static_cast<double>(cols) * sizeof(Scalar) > 512e3;
}

// Columns [j, j + cols) of rows [i0, i1), more than 3 vectors' worth and at most 4, in tiles of
// MR4 rows × 4 vectors (with AVX-512, 6 × 4: 24 accumulators, the same loads per multiply-add
// as 8 × 3).  Where a's rows are contiguous and over 512 kB in all (the weights of X Wᵀ), they
// come from memory: each tile fetches the next one's, whose first lines the CPU's own
// prefetching would miss.
void strip_of_four(Index i0, Index i1, Index depth, const ScalarSide& a, const VectorSide& b, const Out& c, Index j,
                   Index cols, Write write) {
  const bool partial = cols % lanes != 0 && j + 4 * lanes > b.readable;
  const bool fetch_rows = a.depth == 1 && from_memory(a.rows, depth);
  partial ? strip<MR4, 4, true>(i0, i1, depth, a, b, c, j, cols, write, fetch_rows)
          : strip<MR4, 4, false>(i0, i1, depth, a, b, c, j, cols, write, fetch_rows);
}

void strips(Index i0, Index i1, Index j0, Index j1, Index depth, const ScalarSide& a, const VectorSide& b, const Out& c,
            Write write) {
  // A b of over 512 kB (the weights of dX = dY W) comes from memory: in blocks of k
  // (strips_in_blocks).
  const bool ahead = from_memory(depth, b.ld);
  // 1 to `lanes` columns left after the last full strip (with AVX-512, 512 = 21 · 24 + 8) go
  // with it as one strip of four vectors: a strip of one vector makes MR + 1 loads for MR
  // multiply-adds.
  const Index left = (j1 - j0) % width;
  const Index full_end = j1 - left - (left > 0 && left <= lanes && j1 - j0 > width ? width : 0);
  Index j = j0;
  if (ahead) {
    strips_in_blocks(i0, i1, j0, full_end, depth, a, b, c, write);
    j = full_end;
  }
  for (; j < full_end; j += width) strip<MR, NV, false>(i0, i1, depth, a, b, c, j, width, write);
  if (j1 - j > width)
    strip_of_four(i0, i1, depth, a, b, c, j, j1 - j, write);
  else if (j < j1)
    last_strip<MR>(i0, i1, depth, a, b, c, j, j1 - j, write);
}

void run(Index i0, Index i1, Index j0, Index j1, Index depth, const ScalarSide& a, const VectorSide& b, const Out& c,
         Write write) {
  if (i0 >= i1 || j0 >= j1) return;
  const Index cols = j1 - j0;
  if (i1 - i0 > cols && cols > width && cols <= 4 * lanes) {
    // 3 to 4 vectors' worth of columns (with AVX-512, X Wᵀ at 25 to 32 tokens) rather than a strip
    // of 3 vectors and one of 1
    strip_of_four(i0, i1, depth, a, b, c, j0, cols, write);
  } else if (i1 - i0 > cols && cols > width && cols <= 3 * width) {
    for (Index i = i0; i < i1; i += MR) strips(i, std::min(i + MR, i1), j0, j1, depth, a, b, c, write);
  } else {
    strips(i0, i1, j0, j1, depth, a, b, c, write);
  }
  finish(write);
}

// Mᵀ (cols × rows) into `out`, its rows padded with zeros to ld, a multiple of lanes: square
// blocks of M are read as vectors (missing rows and columns as zeros) and turned round in
// registers.
void write_transposed(const Mat& M, Scalar* out, Index ld) {
  const Index rows = M.rows(), cols = M.cols();
  for (Index r0 = 0; r0 < rows; r0 += lanes)
    for (Index c0 = 0; c0 < cols; c0 += lanes) {
      const Index width = std::min(lanes, cols - c0);
      const FirstLanes mask = first_lanes(width);
      Vec block[lanes];
      for (Index r = 0; r < lanes; ++r) {
        if (r0 + r >= rows) {
          block[r] = Vec{};
          continue;
        }
        const Scalar* row = M.data() + (r0 + r) * cols + c0;
        block[r] = width == lanes ? load(row) : load_first(row, mask);
      }
      transpose(block);
      for (Index e = 0; e < width; ++e) store(out + (c0 + e) * ld + r0, block[e]);
    }
}

// This thread's copy of an operand of A Bᵀ turned round, and the product it was made for: each
// thread that computes a part of a product makes its own, once, and reads it from its own caches
// (read from the core that wrote it, it would cross between the cores at every tile).
struct TransposedCopy {
  std::vector<Scalar> buffer;  // only grows, so that it is never zero-filled again
  std::uint64_t product = 0;   // the serial of the product it holds, 0: none
};
thread_local TransposedCopy transposed_copy;

// Mᵀ (cols × ld, ld = rows rounded up to lanes) in this thread's copy, made unless it already
// holds product `serial`'s.
VectorSide transposed(const Mat& M, std::uint64_t serial) {
  TransposedCopy& copy = transposed_copy;
  const Index ld = (M.rows() + lanes - 1) / lanes * lanes;
  if (copy.product != serial) {
    const auto size = static_cast<std::size_t>(M.cols() * ld);
    if (copy.buffer.size() < size) copy.buffer.resize(size);
    write_transposed(M, copy.buffer.data(), ld);
    copy.product = serial;
  }
  return {copy.buffer.data(), ld, ld};
}

// A number for a product, never 0 and never given twice in the process: each thread takes
// blocks of them from a shared counter, so that most products touch no shared cache line.
std::uint64_t next_serial() {
  constexpr std::uint64_t block = 1 << 16;
  static std::atomic<std::uint64_t> blocks_taken{0};
  thread_local std::uint64_t next = 0, end = 0;
  if (next == end) {
    next = 1 + blocks_taken.fetch_add(1, std::memory_order_relaxed) * block;
    end = next + block - 1;
  }
  return next++;
}

}  // namespace

ModelProduct::ModelProduct(Product product, Mat& C, const Mat& A, const Mat& B, Write write) : write_(write) {
  switch (product) {
    case Product::nn:  // C(i,j) = Σ_k A(i,k) B(k,j)
      a_ = {A.data(), A.cols(), 1, A.rows()};
      b_ = {B.data(), B.cols(), B.cols()};
      c_ = {C.data(), C.cols(), 1};
      rows_ = A.rows(), cols_ = B.cols(), depth_ = A.cols();
      break;
    case Product::tn:  // C(i,j) = Σ_k A(k,i) B(k,j)
      a_ = {A.data(), 1, A.cols(), A.cols()};
      b_ = {B.data(), B.cols(), B.cols()};
      c_ = {C.data(), C.cols(), 1};
      rows_ = A.cols(), cols_ = B.cols(), depth_ = A.rows();
      break;
    case Product::nt:  // C(i,j) = Σ_k A(i,k) B(j,k)
      depth_ = A.cols();
      if (A.rows() < B.rows()) {
        // Cᵀ = B Aᵀ: the short A is transposed (T × d, cheap), the long B is read in place, and
        // the tiles' rows run along C's columns.
        transposed_ = true;
        a_ = {B.data(), B.cols(), 1, B.rows()};
        turned_ = &A;
        c_ = {C.data(), 1, C.cols()};
        rows_ = B.rows(), cols_ = A.rows();
      } else {
        a_ = {A.data(), A.cols(), 1, A.rows()};
        turned_ = &B;
        c_ = {C.data(), C.cols(), 1};
        rows_ = A.rows(), cols_ = B.rows();
      }
      serial_ = next_serial();
      break;
  }
}

VectorSide ModelProduct::b_side() const { return turned_ ? transposed(*turned_, serial_) : b_; }

void ModelProduct::compute(Part part) const {
  // C's rows are this kernel's rows, and its columns its columns, but for a transposed A Bᵀ.
  const bool along_rows = part.along_rows != transposed_;
  if (along_rows)
    run(part.begin, part.end, 0, cols_, depth_, a_, b_side(), c_, write_);
  else
    run(0, rows_, part.begin, part.end, depth_, a_, b_side(), c_, write_);
}

void ModelProduct::compute_all() const { run(0, rows_, 0, cols_, depth_, a_, b_side(), c_, write_); }

}  // namespace attnviz::kernel

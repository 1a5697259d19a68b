#pragma once
// The model's own kernel for its three matrix products, shaped for them: one side is short
// (T tokens, 5 to 32 rows) and the other is a weight matrix of up to 2048 × 2048.  Eigen's
// general product packs the weight matrix into blocks before every product; this reads it once,
// in place, through register tiles of vectors of the register's width (simd.h; partial vectors
// at the edges are masked), sized to the registers there are: 8 × 3 vectors with AVX-512's 32,
// 4 × 3 with AVX's 16.
//
// Every C[i,j] is summed over k in order, from 0, and then added to C where the product
// accumulates: the same bits however C is cut into parts and whichever thread computes a part.

#include "model/matmul.h"

namespace attnviz::kernel {

using Index = Eigen::Index;

// How C is written: over (assign), added to (add), or over with streaming stores where the CPU
// has them (a large fresh weight gradient goes to memory without first being read into cache).
enum class Write : std::uint8_t { assign, add, stream };

// Rows [begin, end) of C, or its columns [begin, end).
struct Part {
  bool along_rows;
  Index begin, end;
};

// C (=|+=) op(A) op(B), set up once, computed by parts (on any thread).  C must have its shape
// already.  For A Bᵀ, each thread that computes a part turns one operand round into a buffer of
// its own, kept until it computes a part of another product.
class ModelProduct {
 public:
  ModelProduct(Product product, Mat& C, const Mat& A, const Mat& B, Write write);
  void compute(Part part) const;
  void compute_all() const;

  // A product C(m,n) (=|+=) Σ_k a(i,k) · b(k,j), where
  //   a(i,k) = a.p[i·a.row + k·a.depth], i < a.rows  (any strides: read one scalar at a time),
  //   b(k,j) = b.p[k·b.ld + j]                        (rows contiguous: read as vectors),
  //   C(i,j) = c.p[i·c.row + j·c.col]                 (c.col = 1, or c.row = 1 for a transposed C).
  struct ScalarSide {
    const Scalar* p;
    Index row, depth;
    Index rows;
  };
  struct VectorSide {
    const Scalar* p;
    Index ld;
    Index readable;  // columns of every row that may be read (≥ n; padding reads as 0)
  };
  struct Out {
    Scalar* p;
    Index row, col;
    Scalar* at(Index i, Index j) const { return p + i * row + j * col; }
  };

 private:
  ScalarSide a_{};
  VectorSide b_{};
  Out c_{};
  Index rows_ = 0, cols_ = 0, depth_ = 0;  // of the kernel's product, which is Cᵀ when transposed_
  bool transposed_ = false;
  // For A Bᵀ: the operand that b is, turned round (b_side() gives this thread's copy, and b_ is
  // unused), and the product's serial number, which names the copy.
  const Mat* turned_ = nullptr;
  std::uint64_t serial_ = 0;
  VectorSide b_side() const;
  Write write_;
};

}  // namespace attnviz::kernel

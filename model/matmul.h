#pragma once
// The three matrix products of the model, each computed by the faster of two kernels on the
// CPU it runs on: the model's own (model/matmul_kernel.h) or Eigen's general product.  The
// first product of a shape times both (a few rounds of one run of each: about 0.2 ms a shape at
// lesson size, 10 ms at base's) and keeps the model's unless Eigen's fastest run was more than
// 5 % faster than the model's fastest.  The choice holds for that shape (whether C is written over or added to) for the
// rest of the process, on every thread: the sums of a shape are always the same.  Another
// process may decide a near tie the other way, and then differ in the last bits.
//
// A product of 4 MFLOP or more is cut into parts (columns of C, rows for Aᵀ B) by its shape
// alone, and the parts run on the threads of model/parallel.h: each part is computed whole by
// one thread, so the result does not depend on the number of threads.
//
// `accumulate`: C += product; otherwise C = product (C is resized).

#include "model/tensor.h"

#include <compare>
#include <cstdint>
#include <optional>
#include <vector>

namespace attnviz {

// C = A Bᵀ                    A:(m,k) B:(n,k) → C:(m,n)      (Y = X Wᵀ, S = Q Kᵀ, dA = dO Vᵀ)
void matmul_nt(Mat& C, const Mat& A, const Mat& B, bool accumulate);
// C = A B                     A:(m,k) B:(k,n) → C:(m,n)      (dX = dY W, O = A V, dQ = dS K)
void matmul_nn(Mat& C, const Mat& A, const Mat& B, bool accumulate);
// C = Aᵀ B                    A:(k,m) B:(k,n) → C:(m,n)      (dW = dYᵀ X, dV = Aᵀ dO, dK = dSᵀ Q)
// With `stream`, the model's kernel writes C with streaming stores where the CPU has them: a
// large fresh weight gradient goes to memory without first being read into cache.
void matmul_tn(Mat& C, const Mat& A, const Mat& B, bool accumulate, bool stream = false);

// C1 (=|+=) A1 B1 and C2 (=|+=) A2ᵀ B2, as matmul_nn and matmul_tn give them, in one job where
// both are cut into parts: the threads share the parts of both, and wait once for the last one
// (a linear layer's dX = dY W and dW = dYᵀ X).
void matmul_nn_and_tn(Mat& C1, const Mat& A1, const Mat& B1, bool accumulate1, Mat& C2, const Mat& A2, const Mat& B2,
                      bool accumulate2, bool stream2);
// matmul_nn_and_tn, returning once C1 is complete: parts of C2 may still be computed on a helper
// while this thread goes on, until finish_trailing_pieces() (model/parallel.h) or its next
// product on the threads.  C2, A2 and B2 must stay as they are until then.
void matmul_nn_then_tn(Mat& C1, const Mat& A1, const Mat& B1, bool accumulate1, Mat& C2, const Mat& A2, const Mat& B2,
                       bool accumulate2, bool stream2);

enum class Product : std::uint8_t { nt, nn, tn };  // A Bᵀ, A B, Aᵀ B
enum class Kernel : std::uint8_t { model, eigen };
const char* to_string(Product);  // "A Bᵀ", "A B", "Aᵀ B"
const char* to_string(Kernel);   // "model", "Eigen"

struct ProductShape {
  Product product = Product::nn;
  Eigen::Index m = 0, n = 0, depth = 0;  // C:(m,n), each element a sum of `depth` terms
  bool accumulate = false, stream = false;
  auto operator<=>(const ProductShape&) const = default;
};

struct KernelChoice {
  ProductShape shape;
  Kernel kernel = Kernel::model;
  double model_seconds = 0, eigen_seconds = 0;  // each kernel's fastest timed run
};

// C (=|+=) the product with the given kernel, in the parts its shape gets (benches, tests).
void matmul_with(Kernel kernel, Product product, Mat& C, const Mat& A, const Mat& B, bool accumulate,
                 bool stream = false);

// From now on every product uses `kernel` (for tests and benches); nullopt: the measured choice.
void force_kernel(std::optional<Kernel> kernel);

// Every shape chosen for so far in this process, in shape order.
std::vector<KernelChoice> kernel_choices();

// The parts a product of this shape is cut into: 1 below the size where threads pay.
int product_parts(const ProductShape& shape);

}  // namespace attnviz

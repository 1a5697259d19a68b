// The `product_flops` column of each op's row (op_table.cpp): 2·m·n·k per (m,k)·(k,n) product.

#include "model/flops.h"

namespace attnviz {

namespace {
const Mat& a(const Trace& t, const Step& s) { return t.value(s.inputs[0]); }
const Mat& b(const Trace& t, const Step& s) { return t.value(s.inputs[1]); }
}  // namespace

std::uint64_t no_products(const Trace&, const Step&) { return 0; }

// X Wᵀ: (T,in)·(in,out);  Q Kᵀ: (T_q,d)·(d,T_k)
std::uint64_t product_with_transpose_flops(const Trace& t, const Step& s) {
  return 2ull * a(t, s).rows() * a(t, s).cols() * b(t, s).rows();
}

// A V: (T_q,T_k)·(T_k,d)
std::uint64_t weighted_sum_flops(const Trace& t, const Step& s) {
  return 2ull * a(t, s).rows() * a(t, s).cols() * b(t, s).cols();
}

// X W_xᵀ + H W_hᵀ: (B,e)·(e,3d) + (B,d)·(d,3d);  a = X, b = H (B,d)
std::uint64_t gru_cell_flops(const Trace& t, const Step& s) {
  return 2ull * a(t, s).rows() * 3 * b(t, s).cols() * (a(t, s).cols() + b(t, s).cols());
}

// S W_sᵀ: (T_q,d)·(d,a), then vᵀ tanh(·) for every pair: T_q·T_k·a;  a = S, b = K (T_k,a)
std::uint64_t additive_scores_flops(const Trace& t, const Step& s) {
  return 2ull * b(t, s).cols() * (a(t, s).rows() * a(t, s).cols() + a(t, s).rows() * b(t, s).rows());
}

}  // namespace attnviz

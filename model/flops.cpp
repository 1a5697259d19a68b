#include "model/flops.h"

namespace attnviz {

namespace {

std::uint64_t elements(const Trace& t, TensorId id) { return static_cast<std::uint64_t>(t.value(id).size()); }

std::uint64_t product_flops(const Trace& t, const Step& s) {
  const Mat& a = t.value(s.inputs[0]);
  const Mat& b = t.value(s.inputs[1]);
  switch (s.op) {
    case OpKind::linear:        // (T,in)·(in,out)
    case OpKind::scores:        // (T_q,d)·(d,T_k)
      return 2ull * a.rows() * a.cols() * b.rows();
    case OpKind::weighted_sum:  // (T_q,T_k)·(T_k,d)
      return 2ull * a.rows() * a.cols() * b.cols();
    case OpKind::gru_cell:      // (B,e)·(e,3d) + (B,d)·(d,3d)
      return 2ull * a.rows() * 3 * b.cols() * (a.cols() + b.cols());
    case OpKind::additive_scores:  // S W_sᵀ: (T_q,d)·(d,a); vᵀ tanh(·): T_q·T_k·a;  b = K (T_k,a)
      return 2ull * b.cols() * (a.rows() * a.cols() + a.rows() * b.rows());
    default:
      return 0;
  }
}

}  // namespace

std::uint64_t count_flops(const Trace& trace) {
  std::uint64_t total = 0;
  for (const Step& s : trace.steps()) {
    const std::uint64_t products = product_flops(trace, s);
    if (products) total += s.phase == Phase::forward ? products : 2 * products;
    else total += elements(trace, s.outputs[0]);
  }
  return total;
}

}  // namespace attnviz

#include "model/flops.h"

namespace attnviz {

std::uint64_t count_flops(const Trace& trace) {
  std::uint64_t total = 0;
  for (const Step& s : trace.steps()) {
    const std::uint64_t products = op_info(s.op).product_flops(trace, s);
    if (products)
      total += s.phase == Phase::forward ? products : 2 * products;
    else
      total += static_cast<std::uint64_t>(trace.value(s.outputs[0]).size());
  }
  return total;
}

}  // namespace attnviz

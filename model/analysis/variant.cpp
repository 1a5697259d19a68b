#include "model/analysis/variant.h"

#include "model/error.h"

#include <string>

namespace attnviz::analysis {

Transformer with_config(const Transformer& model, const Config& config) {
  Transformer copy(config, 0);
  const Parameters& from = model.params();
  Parameters& to = copy.params();
  if (from.size() != to.size())
    throw InputError("config: " + std::to_string(to.size()) + " parameters instead of the model's " +
                     std::to_string(from.size()) + "; only switches that keep the parameters can change");
  for (int i = 0; i < from.size(); ++i) {
    const Tensor& a = from[i];
    Tensor& b = to[i];
    if (a.name != b.name || a.value.rows() != b.value.rows() || a.value.cols() != b.value.cols())
      throw InputError("config: parameter " + b.name + " (" + std::to_string(b.value.rows()) + "×" +
                       std::to_string(b.value.cols()) + ") does not match the model's " + a.name + " (" +
                       std::to_string(a.value.rows()) + "×" + std::to_string(a.value.cols()) + ")");
    b.value = a.value;
  }
  return copy;
}

}  // namespace attnviz::analysis

#include "model/analysis/permutation.h"

#include "model/analysis/variant.h"
#include "model/error.h"

#include <numeric>
#include <string>
#include <utility>

namespace attnviz::analysis {

SwapResult swap_experiment(const Transformer& model, const Example& example, int i, int j, Positional positional) {
  validate(model.config(), example);
  const int T = static_cast<int>(example.src.size());
  for (const auto& [field, value] : {std::pair{"i", i}, std::pair{"j", j}})
    if (value < 0 || value >= T)
      throw InputError(std::string(field) + ": position " + std::to_string(value) + " is outside the source [0, " +
                       std::to_string(T) + ")");

  Config config = model.config();
  config.positional = positional;
  Transformer variant = with_config(model, config);

  SwapResult r;
  r.positional = positional;
  r.i = i;
  r.j = j;
  r.original_src = example.src;
  r.permutation.resize(static_cast<std::size_t>(T));
  std::iota(r.permutation.begin(), r.permutation.end(), 0);
  std::swap(r.permutation[static_cast<std::size_t>(i)], r.permutation[static_cast<std::size_t>(j)]);
  r.swapped_src.resize(static_cast<std::size_t>(T));
  for (std::size_t t = 0; t < r.swapped_src.size(); ++t)
    r.swapped_src[t] = example.src[static_cast<std::size_t>(r.permutation[t])];

  Trace trace;
  run_forward(variant, example, trace);
  r.original_output = trace.value(encoder_output(trace));
  Example swapped = example;
  swapped.src = r.swapped_src;
  run_forward(variant, swapped, trace);
  r.swapped_output = trace.value(encoder_output(trace));

  // Δ[t] = max_c |swapped[t,c] − original[π(t),c]|
  r.row_difference.resize(T, 1);
  for (int t = 0; t < T; ++t)
    r.row_difference(t, 0) =
        (r.swapped_output.row(t) - r.original_output.row(r.permutation[static_cast<std::size_t>(t)]))
            .cwiseAbs()
            .maxCoeff();
  r.max_difference = r.row_difference.maxCoeff();
  return r;
}

}  // namespace attnviz::analysis

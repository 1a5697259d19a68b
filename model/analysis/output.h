#pragma once
// The output distribution per target position, at any temperature: P = softmax(Z / T), with
// Z the generator's logits.  T = 1 is the model's own distribution; T < 1 sharpens it, T > 1
// flattens it.

#include "model/trace.h"

#include <vector>

namespace attnviz::analysis {

// P[r,:] = softmax(Z[r,:] / T)                 Z:(R,V) → P:(R,V)
// Throws InputError naming the temperature unless it is finite and > 0.
Mat softmax_with_temperature(const Mat& Z, Scalar temperature);
// ln P[r,:] = Z[r,:]/T − m − ln Σ_k exp(Z[r,k]/T − m),  m = max_k Z[r,k]/T
Mat log_softmax_with_temperature(const Mat& Z, Scalar temperature);

struct OutputDistribution {
  Scalar temperature = 1;
  Mat probs;                  // (T_tgt, V)
  std::vector<int> expected;  // the target word per position (the pad id at padding)
  Mat loss;                   // (T_tgt, 1): −ln P[t, expected_t]; 0 at padding targets
  int pad_id = 0;
};

// From a trace's logits (`output.generator`) and targets (`output.targets`).
OutputDistribution output_distribution(const Trace& trace, Scalar temperature = 1, int pad_id = 0);

// The k most probable ids of row `row`, most probable first (ties: lower id first).
std::vector<int> top_k(const Mat& probs, int row, int k);

}  // namespace attnviz::analysis

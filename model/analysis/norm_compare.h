#pragma once
// LayerNorm against BatchNorm on the same activations (lesson topic 9): the input X of one of the
// model's LayerNorm steps, for a mini-batch of sentences, normalised two ways (γ = 1, β = 0):
//
//   LayerNorm  — over the d features of each token:   x̂[r,c] = (x[r,c] − μ_r) / √(σ²_r + ε)
//   BatchNorm  — over the batch's tokens per feature:  x̂[r,c] = (x[r,c] − μ_c) / √(σ²_c + ε)
//
// and the three places BatchNorm goes wrong, in this model's numbers: a batch of one sentence,
// padding, and inference (running statistics; the output depending on the rest of the batch).
// Every activation comes from a forward run of the model; nothing is made up.

#include "model/lesson.h"
#include "model/transformer.h"

#include <string>
#include <string_view>
#include <vector>

namespace attnviz::analysis {

// The LayerNorm's input for N sentences stacked, each padded to a common length T with <pad>
// tokens run through the model as a padded batch would be: sentence b's position t is row b·T + t.
struct NormBatch {
  int sentences = 0, length = 0;  // N, T
  Mat x;                          // (N·T, d)
  std::vector<int> tokens;        // (N·T): the token id of each row
  std::vector<char> pad;          // (N·T): 1 where the token is <pad>
  int real_rows() const;          // rows that are not <pad>
  Mat sentence(const Mat& rows, int b) const { return rows.middleRows(b * length, length); }
};

// Per feature (1, d): mean μ_c and (biased) variance σ²_c.
struct FeatureStats {
  Mat mean, var;
};

// x̂ with each row's own statistics (LayerNorm before γ, β).
Mat layer_norm_rows(const Mat& x, Scalar eps);
// μ_c and σ²_c over the rows where `use` is 1 (all rows when `use` is empty).
FeatureStats feature_stats(const Mat& x, const std::vector<char>& use = {});
// x̂ with the given per-feature statistics (BatchNorm before γ, β).
Mat batch_norm_rows(const Mat& x, const FeatureStats& stats, Scalar eps);
// 1 for the rows that are not <pad>.
std::vector<char> real_rows(const NormBatch& batch);

struct NormComparison {
  std::string step_label;  // "encoder.0.norm1.layer_norm"
  bool source = true;      // rows are source tokens (else the decoder's input tokens)
  Scalar eps = 0;

  // Side by side: batch A (this sentence first, then training sentences), both normalisations.
  NormBatch batch;
  Mat layer_norm;            // (N·T, d): every row mean 0, variance 1 (pad rows too: they are rows)
  FeatureStats batch_stats;  // over the batch's real tokens
  Mat batch_norm;            // (N·T, d): every column mean 0, variance 1 over the real rows

  // (1) A batch of one sentence.  Per position (as BatchNorm runs in a recurrent model, one
  // statistic per time step): each statistic is one value, σ² = 0 and every output 0.  Over the
  // sentence's own tokens: statistics from T numbers, different from the batch's.
  Scalar one_position_var_max = 0;  // max over positions and features of σ²_{t,c} (batch of 1)
  Mat one_position_output;          // (T, d)
  FeatureStats alone_stats;         // over this sentence's real tokens
  Mat alone;                        // (T, d): this sentence normalised with alone_stats
  Scalar alone_vs_batch = 0;        // max over its real rows |alone − its rows of batch_norm|

  // (2) Padding: the statistics over every row of a padded batch against over its real rows.
  NormBatch padded;  // batch A itself when it has <pad> rows, else padded to max_len
  FeatureStats with_pad, without_pad;
  Scalar pad_output_change = 0;  // max over real rows |x̂ with pad statistics − x̂ without|

  // (3) Inference.  Running statistics (over the training sentences' tokens, what BatchNorm's
  // running averages approach at these weights) against this sentence's own.
  int running_sentences = 0;
  FeatureStats running;
  Mat inference_output;                 // (T, d): this sentence normalised with `running`
  FeatureStats inference_output_stats;  // its per-feature mean and variance over real rows: not 0, 1
  // The same sentence in batch A and in batch B (this sentence with other training sentences).
  NormBatch other;
  Mat batch_norm_in_other;           // (T, d): its rows of batch B's BatchNorm
  Mat batch_difference;              // (T, d): in A − in B
  Scalar batch_dependence = 0;       // max |batch_difference| over real rows
  Scalar layer_norm_dependence = 0;  // the same for LayerNorm (0)
};

// Runs `model` forward on `current` and on sentences of `pool` (the lesson's training examples),
// takes the input of the forward LayerNorm step labelled `step_label`, and compares.  Batch A
// holds `current` and the first batch_size − 1 pool examples unlike it, batch B `current` and the
// next ones (or one fewer of the first when the pool is short); the running statistics use up to
// `running_limit` pool examples.  Throws InputError when the step is not a forward LayerNorm or
// the pool holds no example other than `current`.
NormComparison compare_norms(const Transformer& model, const Example& current, const std::vector<Example>& pool,
                             std::string_view step_label, int batch_size = 4, int running_limit = 64);

// The lesson's training pairs (after its held-out split) as examples of `config`, the first
// `limit` that `config` can run (pairs with words it does not know or too long are left out).
std::vector<Example> training_examples(const Lesson& lesson, const Config& config, int limit);

}  // namespace attnviz::analysis

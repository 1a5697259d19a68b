// A model whose products and row-wise ops are cut into parts and spread over threads: forward +
// backward on two threads gives every value and gradient of one thread bit for bit, with either
// kernel.

#include "helpers.h"
#include "model/matmul.h"
#include "model/parallel.h"
#include "model/row_parts.h"
#include "model/recorder.h"
#include "model/transformer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

namespace attnviz::testing {
namespace {

// Linear layers of T × 256 × 256 and T × 256 × 1024 (2 to 8 parts each at T = 32), heads of T
// tokens, computed side by side on two threads and one after another on one.  At T = 64 the layer norms, residuals, ReLU, cross-entropy and gradient sums are cut
// into parts too (2 to 8) on two threads, and not on one: the two runs' bits agree only if a cut
// changes none.
Config mid_config() {
  Config c;
  c.d_model = 256;
  c.heads = 4;
  c.encoder_layers = 1;
  c.decoder_layers = 1;
  c.d_ff = 1024;
  c.src_vocab = 300;
  c.tgt_vocab = 280;
  c.max_len = 64;
  return c;
}

Example mid_example(int tokens) {
  Example ex;
  ex.pad_id = 0;
  for (int t = 0; t < tokens; ++t) {
    ex.src.push_back(4 + (t * 37) % 290);
    ex.tgt_in.push_back(t == 0 ? 1 : 4 + (t * 53) % 270);
    ex.tgt_out.push_back(t == tokens - 1 ? 2 : 4 + ((t + 1) * 53) % 270);
  }
  return ex;
}

// Every activation's value and gradient, every parameter's gradient.
std::vector<Mat> everything(const Trace& trace) {
  std::vector<Mat> out;
  for (int i = 0; i < trace.tensor_count(); ++i) {
    out.push_back(trace.value(trace.activation(i)));
    out.push_back(trace.grad(trace.activation(i)));
  }
  for (const Tensor& p : *trace.params()) out.push_back(p.grad);
  return out;
}

struct Poisoned {
  const char* param;
  int row, col;
  double value;
};

class ThreadedModel : public ::testing::TestWithParam<std::tuple<Kernel, int>> {
 protected:
  void TearDown() override {
    set_threads(available_cores());
    force_kernel(std::nullopt);
  }
};

TEST_P(ThreadedModel, TwoThreadsGiveTheBitsOfOne) {
  const auto [kernel, tokens] = GetParam();
  force_kernel(kernel);
  EXPECT_GT(product_parts({Product::nt, tokens, 256, 256}), 1);
  Transformer model(mid_config(), 5);
  const Example ex = mid_example(tokens);
  std::vector<Mat> one;
  {
    set_threads(1);
    Trace trace;
    run_forward(model, ex, trace);
    run_backward(trace);
    one = everything(trace);
  }
  set_threads(2);
  EXPECT_TRUE(heads_side_by_side(tokens, tokens, model.config().d_model));
  if (tokens == 64) {
    EXPECT_EQ(row_part_count(tokens, 256), 2);
    EXPECT_EQ(row_part_count(tokens, 1024), 8);
  }
  const long jobs = parallel_jobs();
  Trace trace;
  for (int run = 0; run < 3; ++run) {  // and again, over the memory of the run before
    run_forward(model, ex, trace);
    run_backward(trace);
    const std::vector<Mat> two = everything(trace);
    ASSERT_EQ(two.size(), one.size());
    int differ = 0;
    for (std::size_t i = 0; i < one.size(); ++i) differ += !same_bits(one[i], two[i]);
    EXPECT_EQ(differ, 0) << "run " << run;
  }
  EXPECT_GT(parallel_jobs(), jobs);  // the helper took parts
}

// Where a run stops being finite is found at the same steps, at the same elements, whether the
// heads run side by side (two threads) or one after another (one): a NaN in one head's columns
// of W_Q, an ∞ in W_V, and a finite weight whose product overflows in head 2.
TEST(ThreadedModel, NonFiniteValuesAreFoundAtTheSameStepsOnTwoThreads) {
  const auto found = [](const Poisoned& poison, int threads) {
    set_threads(threads);
    Transformer model(mid_config(), 5);
    Tensor& w = model.params()[*model.params().find(poison.param)];
    w.value(poison.row, poison.col) = poison.value;
    Trace trace;
    run_forward(model, mid_example(32), trace);
    run_backward(trace);
    std::vector<std::string> out;
    for (const Step& s : trace.steps())
      if (s.non_finite)
        out.push_back(s.label + (s.phase == Phase::backward ? " backward " : " ") + std::to_string(s.non_finite->row) +
                      "," + std::to_string(s.non_finite->col));
    return out;
  };
  const Poisoned poisons[] = {
      {"encoder.layers.0.self_attn.q_proj.weight", 70, 3, std::numeric_limits<double>::quiet_NaN()},
      {"decoder.layers.0.cross_attn.v_proj.weight", 200, 5, std::numeric_limits<double>::infinity()},
      {"encoder.layers.0.self_attn.k_proj.weight", 130, 2, 1e308},  // K = X W_Kᵀ overflows
  };
  for (const Poisoned& poison : poisons) {
    const std::vector<std::string> one = found(poison, 1), two = found(poison, 2);
    EXPECT_FALSE(one.empty()) << poison.param;
    EXPECT_EQ(one, two) << poison.param;
  }
  set_threads(available_cores());
}

INSTANTIATE_TEST_SUITE_P(KernelsAndTokens, ThreadedModel,
                         ::testing::Combine(::testing::Values(Kernel::model, Kernel::eigen), ::testing::Values(32, 64)),
                         [](const auto& info) {
                           return std::string(to_string(std::get<0>(info.param))) + "_" +
                                  std::to_string(std::get<1>(info.param)) + "_tokens";
                         });

}  // namespace
}  // namespace attnviz::testing

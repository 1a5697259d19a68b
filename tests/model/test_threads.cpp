// A model whose products are cut into parts and spread over threads: forward + backward on two
// threads gives every value and gradient of one thread bit for bit, with either kernel.

#include "helpers.h"
#include "model/matmul.h"
#include "model/parallel.h"
#include "model/transformer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace attnviz::testing {
namespace {

// Linear layers of 32 × 256 × 256 and 32 × 256 × 1024 (2 to 8 parts each), heads of 32 tokens.
Config mid_config() {
  Config c;
  c.d_model = 256;
  c.heads = 4;
  c.encoder_layers = 1;
  c.decoder_layers = 1;
  c.d_ff = 1024;
  c.src_vocab = 300;
  c.tgt_vocab = 280;
  c.max_len = 40;
  return c;
}

Example mid_example() {
  Example ex;
  ex.pad_id = 0;
  for (int t = 0; t < 32; ++t) {
    ex.src.push_back(4 + (t * 37) % 290);
    ex.tgt_in.push_back(t == 0 ? 1 : 4 + (t * 53) % 270);
    ex.tgt_out.push_back(t == 31 ? 2 : 4 + ((t + 1) * 53) % 270);
  }
  return ex;
}

bool same_bits(const Mat& a, const Mat& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), sizeof(Scalar) * static_cast<std::size_t>(a.size())) == 0);
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

class ThreadedModel : public ::testing::TestWithParam<Kernel> {
 protected:
  void TearDown() override {
    set_threads(available_cores());
    force_kernel(std::nullopt);
  }
};

TEST_P(ThreadedModel, TwoThreadsGiveTheBitsOfOne) {
  force_kernel(GetParam());
  EXPECT_GT(product_parts({Product::nt, 32, 256, 256}), 1);
  Transformer model(mid_config(), 5);
  const Example ex = mid_example();
  std::vector<Mat> one;
  {
    set_threads(1);
    Trace trace;
    run_forward(model, ex, trace);
    run_backward(trace);
    one = everything(trace);
  }
  set_threads(2);
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

INSTANTIATE_TEST_SUITE_P(Kernels, ThreadedModel, ::testing::Values(Kernel::model, Kernel::eigen),
                         [](const auto& info) { return std::string(to_string(info.param)); });

}  // namespace
}  // namespace attnviz::testing

// PyTorch's own answer (tests/pytorch/, written by tests/tools/make_pytorch_fixture.py from the
// translation tutorial's Seq2SeqTransformer with random float64 weights): each lesson opens with
// its weights under PyTorch's own names, and attnviz's loss, logits and every parameter's
// gradient equal PyTorch's to 1e-10 relative.  No PyTorch is needed here: the files carry it.

#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/reference.h"
#include "model/session.h"
#include "helpers.h"

#include <algorithm>

namespace attnviz::testing {
namespace {

const std::string fixture_dir = std::string(ATTNVIZ_SOURCE_DIR) + "/tests/pytorch/";

// max |a − b| / max(max |b|, 1e-300): one number per tensor, 0 when equal.
double relative_difference(const Mat& a, const Mat& b) {
  const double scale = std::max(b.cwiseAbs().maxCoeff(), 1e-300);
  return (a - b).cwiseAbs().maxCoeff() / scale;
}

class PyTorchFixture : public ::testing::TestWithParam<const char*> {};

TEST_P(PyTorchFixture, LossLogitsAndEveryGradientEqualPyTorchs) {
  const std::string path = fixture_dir + GetParam() + ".json";
  const Lesson lesson = io::read_lesson_file(path);
  ASSERT_TRUE(lesson.reference);
  Session session(to_preset(lesson));
  io::read_lesson_weights(path, lesson, session.model().params());
  session.rerun();
  const Trace& trace = session.trace();

  const Reference& pytorch = *lesson.reference;
  EXPECT_LE(std::abs(trace.loss() - pytorch.loss), 1e-10 * std::abs(pytorch.loss))
      << trace.loss() << " vs " << pytorch.loss;
  const Mat& logits = trace.value(*trace.find(names::logits));
  ASSERT_EQ(logits.rows(), pytorch.logits.rows());
  ASSERT_EQ(logits.cols(), pytorch.logits.cols());
  EXPECT_LE(relative_difference(logits, pytorch.logits), 1e-10);
  EXPECT_TRUE(check_reference(pytorch, trace).agrees);

  // PyTorch's gradients, read under the parameters' names as its weights were.  Each is compared
  // at the scale of the model's gradients: a key bias's gradient is 0 in exact arithmetic (adding
  // q·b to every score of a row leaves its softmax unchanged), so both sides hold rounding noise.
  Parameters grads = session.model().params();
  io::read_weights(fixture_dir + GetParam() + ".grad.safetensors", grads, lesson.weight_names);
  const Parameters& params = session.model().params();
  double scale = 0;
  for (const Tensor& g : grads) scale = std::max(scale, g.value.cwiseAbs().maxCoeff());
  ASSERT_GT(scale, 0.01);
  for (int i = 0; i < params.size(); ++i) {
    const double worst = (params[i].grad - grads[i].value).cwiseAbs().maxCoeff();
    EXPECT_LE(worst, 1e-10 * scale) << params[i].name;
    const bool key_bias = params[i].name.ends_with("k_proj.bias");
    if (!key_bias) {
      EXPECT_LE(relative_difference(params[i].grad, grads[i].value), 1e-10) << params[i].name;
    }
  }
}

// The same example on the same weights as they would be described without the lesson's
// knowledge of the model: each silent mismatch of a hand-made conversion is now caught.
TEST_P(PyTorchFixture, AnyConfigChangeDisagreesWithPyTorch) {
  const std::string path = fixture_dir + GetParam() + ".json";
  const Lesson lesson = io::read_lesson_file(path);
  const auto differs = [&](const Lesson& changed) {
    Session session(to_preset(changed));
    io::read_lesson_weights(path, changed, session.model().params());
    session.rerun();
    return !check_reference(*lesson.reference, session.trace()).agrees;
  };
  const auto disagrees = [&](const std::string& key, const std::string& value) {
    Lesson changed = lesson;
    set_config_value(changed.config, key, value);
    Session session(to_preset(changed));
    io::read_lesson_weights(path, changed, session.model().params());
    session.rerun();
    return !check_reference(*lesson.reference, session.trace()).agrees;
  };
  EXPECT_TRUE(disagrees("ln_eps", lesson.config.ln_eps == 1e-5 ? "1e-6" : "1e-5"));
  EXPECT_TRUE(disagrees("scale_embedding", "false"));
  EXPECT_TRUE(disagrees("positional", "concatenated"));
  EXPECT_TRUE(disagrees("norm", lesson.config.norm == NormPlacement::post ? "pre" : "post"));
  Lesson unwrapped = lesson;
  unwrapped.src_vocab.set_wraps(false);
  EXPECT_TRUE(differs(unwrapped));
  Lesson reordered = lesson;  // torchtext's words in the built-in order: <pad> <bos> <eos> <unk> first
  reordered.src_vocab = Vocabulary(lesson.src_vocab.words());
  reordered.tgt_vocab = Vocabulary(lesson.tgt_vocab.words());
  reordered.src_vocab.set_wraps(true);
  ASSERT_EQ(reordered.src_vocab.size(), lesson.src_vocab.size());
  EXPECT_TRUE(differs(reordered));
}

INSTANTIATE_TEST_SUITE_P(Variants, PyTorchFixture, ::testing::Values("post-final-norm", "pre-norm", "eps-1e-6", "gelu"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace attnviz::testing

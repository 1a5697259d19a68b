// The stacks' inputs, saliency from the stored gradients, and the masks as matrices.

#include "model/analysis/attention.h"
#include "model/analysis/inputs.h"
#include "model/analysis/masks.h"
#include "model/error.h"
#include "model/ops.h"
#include "model/presets.h"
#include "model/session.h"
#include "model/vocabulary.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

namespace attnviz::analysis {
namespace {

Session padded_lesson(int pad) {
  Session session(make_preset("lesson"));
  if (pad) session.set_sentences(session.src_text(), session.tgt_text(), pad);
  return session;
}

TEST(InputParts, EmbeddingPlusEncodingIsTheInput) {
  for (Positional p : {Positional::interleaved, Positional::none}) {
    Session session(make_preset("lesson"));
    Config c = session.config();
    c.positional = p;
    session.set_config(c);
    const Trace& trace = session.trace();
    for (Stack stack : {Stack::encoder, Stack::decoder}) {
      const InputParts parts = input_parts(trace, stack);
      const Mat& lookup = trace.value(embedding_output(trace, stack));
      const int T = static_cast<int>(lookup.rows());
      EXPECT_EQ(trace.tensor(embedding_output(trace, stack)).name, std::string(to_string(stack)) + ".embed.lookup");
      EXPECT_LE((parts.embedding - lookup * std::sqrt(16.0)).cwiseAbs().maxCoeff(), 1e-15);
      Mat pe;
      ops::positional_encoding(pe, p, T, 16);
      EXPECT_EQ((parts.positional - pe).cwiseAbs().maxCoeff(), 0);
      EXPECT_LE((parts.input - (parts.embedding + parts.positional)).cwiseAbs().maxCoeff(), 1e-15);
    }
  }
}

// Saliency is the norm of the stored gradient of the lookup's output, row by row; and those
// rows, summed per word, are the embedding table's gradient (embedding_backward's dW), an
// independent path through the trace.
TEST(Saliency, IsTheNormOfTheEmbeddingOutputsGradientRows) {
  const Session session = padded_lesson(2);
  const Trace& trace = session.trace();
  struct Side {
    Stack stack;
    const char* lookup;
    const char* table;
    const std::vector<int>* ids;
  };
  const Side sides[] = {{Stack::encoder, "encoder.embed.lookup", "src_embed.weight", &session.example().src},
                        {Stack::decoder, "decoder.embed.lookup", "tgt_embed.weight", &session.example().tgt_in}};
  for (const Side& side : sides) {
    const Mat s = saliency(trace, side.stack);
    const Mat& g = trace.grad(*trace.find(side.lookup));
    ASSERT_EQ(s.rows(), static_cast<Eigen::Index>(side.ids->size()));
    std::map<int, Eigen::RowVectorXd> per_word;
    for (Eigen::Index t = 0; t < s.rows(); ++t) {
      EXPECT_DOUBLE_EQ(s(t, 0), std::sqrt(g.row(t).squaredNorm()));
      const int id = (*side.ids)[static_cast<std::size_t>(t)];
      if (id == session.example().pad_id)
        EXPECT_EQ(s(t, 0), 0) << side.lookup << " row " << t;
      else
        EXPECT_GT(s(t, 0), 0);
      Eigen::RowVectorXd& sum = per_word.try_emplace(id, Eigen::RowVectorXd::Zero(g.cols())).first->second;
      sum += g.row(t);
    }
    const Mat& dW = trace.grad(*trace.find(side.table));
    for (const auto& [id, sum] : per_word)
      if (id != session.example().pad_id) {
        EXPECT_LE((dW.row(id) - sum).cwiseAbs().maxCoeff(), 1e-15) << side.table << " " << id;
      }
  }
  // "the" appears twice in the source (positions 0 and 3): two different bars.
  const Mat s = saliency(trace, Stack::encoder);
  EXPECT_NE(s(0, 0), s(3, 0));
}

TEST(Saliency, NeedsTheBackwardPass) {
  Preset p = make_preset("lesson");
  Transformer model(p.config, 0);
  Trace trace;
  run_forward(model, make_example(p.config, p.src_vocab, p.tgt_vocab, p.src_text, p.tgt_text), trace);
  EXPECT_THROW(saliency(trace, Stack::encoder), InputError);
  EXPECT_NO_THROW(input_parts(trace, Stack::encoder));
}

// "the prince saved the princess" + 2 <pad> (7), "<bos> 왕자 는 공주 를 구했다" + 2 <pad> (8).
TEST(Masks, ShapesAndValuesWithPadding) {
  const Session session = padded_lesson(2);
  const Masks m = masks_of(session.trace());
  const int S = 7, T = 8, src_words = 5, tgt_words = 6;
  ASSERT_EQ(m.src_padding.value.rows(), S);
  ASSERT_EQ(m.src_padding.value.cols(), S);
  ASSERT_EQ(m.tgt_padding.value.rows(), T);
  ASSERT_EQ(m.tgt_padding.value.cols(), T);
  ASSERT_EQ(m.look_ahead.value.rows(), T);
  ASSERT_EQ(m.look_ahead.value.cols(), T);
  ASSERT_EQ(m.decoder_self.value.rows(), T);
  ASSERT_EQ(m.decoder_self.value.cols(), T);
  ASSERT_EQ(m.cross.value.rows(), T);
  ASSERT_EQ(m.cross.value.cols(), S);
  for (int i = 0; i < S; ++i)
    for (int j = 0; j < S; ++j) EXPECT_EQ(m.src_padding.value(i, j), j < src_words ? 1 : 0);
  for (int i = 0; i < T; ++i) {
    for (int j = 0; j < T; ++j) {
      EXPECT_EQ(m.tgt_padding.value(i, j), j < tgt_words ? 1 : 0);
      EXPECT_EQ(m.look_ahead.value(i, j), j <= i ? 1 : 0);
      EXPECT_EQ(m.decoder_self.value(i, j), (j < tgt_words && j <= i) ? 1 : 0);
    }
    for (int j = 0; j < S; ++j) EXPECT_EQ(m.cross.value(i, j), j < src_words ? 1 : 0);
  }
  for (const MaskMatrix* mask : m.all()) {
    EXPECT_FALSE(mask->title.empty());
    EXPECT_FALSE(mask->applies_to.empty());
    EXPECT_TRUE(session.trace().find(mask->name).has_value()) << mask->name;
  }
  // The masks shown are the ones applied: a masked cell's weight is exactly 0, others are not.
  const HeadTensors h = head_tensors(session.trace(), {AttentionKind::decoder_self, 0, 1});
  const Mat& A = session.trace().value(h.weights);
  for (int i = 0; i < T; ++i)
    for (int j = 0; j < T; ++j) EXPECT_EQ(A(i, j) == 0, m.decoder_self.value(i, j) == 0) << i << "," << j;
}

TEST(Masks, WithoutPaddingOnlyTheLookAheadMasks) {
  const Masks m = masks_of(padded_lesson(0).trace());
  EXPECT_EQ(m.src_padding.value.minCoeff(), 1);
  EXPECT_EQ(m.cross.value.minCoeff(), 1);
  EXPECT_EQ(m.tgt_padding.value.minCoeff(), 1);
  EXPECT_EQ(m.decoder_self.value, m.look_ahead.value);
  EXPECT_EQ(m.look_ahead.value.sum(), 6 * 7 / 2);
  EXPECT_THROW(masks_of(Trace{}), InputError);
}

}  // namespace
}  // namespace attnviz::analysis

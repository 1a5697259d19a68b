// Gradient flow inside the Transformer: which tensor is each sublayer's input, the parameter
// groups, the four variants from one set of weights, and the vanishing gradient without residuals.

#include "model/gradlab/transformer_flow.h"
#include "model/error.h"
#include "model/parameters.h"
#include "model/presets.h"

#include <gtest/gtest.h>

namespace attnviz::gradlab {
namespace {

struct LessonRun {
  Preset preset = make_preset("lesson");
  Example example;
  LessonRun() {
    example = make_example(preset.config, preset.src_vocab, preset.tgt_vocab, preset.src_text, preset.tgt_text);
  }
};

GradientFlow flow_of(const Config& config, const Example& example, Trace& trace, Transformer& model) {
  run_forward(model, example, trace);
  run_backward(trace);
  return gradient_flow(trace, config);
}

TEST(TransformerFlow, ParameterGroupsAreTheSublayersOfTheFigure) {
  EXPECT_EQ(parameter_group("encoder.layers.0.self_attn.q_proj.weight"), "encoder.layers.0.self_attn");
  EXPECT_EQ(parameter_group("decoder.layers.11.ffn.linear2.bias"), "decoder.layers.11.ffn");
  EXPECT_EQ(parameter_group("decoder.layers.1.norm3.weight"), "decoder.layers.1.norm3");
  EXPECT_EQ(parameter_group("src_embed.weight"), "src_embed");
  EXPECT_EQ(parameter_group("encoder.norm.bias"), "encoder.norm");
  EXPECT_EQ(parameter_group("generator.weight"), "generator");
}

TEST(TransformerFlow, TheFirstSublayerReadsTheEmbeddingOutputInBothNormPlacements) {
  LessonRun lesson;
  for (NormPlacement norm : {NormPlacement::post, NormPlacement::pre}) {
    Config c = lesson.preset.config;
    c.norm = norm;
    Transformer model(c, 3);
    Trace trace;
    const GradientFlow flow = flow_of(c, lesson.example, trace, model);
    ASSERT_EQ(flow.sublayers.size(), static_cast<std::size_t>(2 * c.encoder_layers + 3 * c.decoder_layers));
    EXPECT_EQ(flow.sublayers[0].label, "encoder.0.self_attn");
    EXPECT_EQ(flow.sublayers[2].label, "encoder.1.self_attn");
    EXPECT_EQ(flow.sublayers[2 * c.encoder_layers + 1].label, "decoder.0.cross_attn");

    const std::optional<TensorId> src_x = trace.find("encoder.embed.add_pe");
    const std::optional<TensorId> tgt_x = trace.find("decoder.embed.add_pe");
    ASSERT_TRUE(src_x && tgt_x);
    EXPECT_DOUBLE_EQ(flow.sublayers[0].input_grad_norm, trace.grad(*src_x).norm());
    EXPECT_DOUBLE_EQ(flow.sublayers[2 * c.encoder_layers].input_grad_norm, trace.grad(*tgt_x).norm());

    // The backward step named for linking is the twin of the op that reads x.
    const Step& back = trace.step(flow.sublayers[0].backward_step);
    EXPECT_EQ(back.phase, Phase::backward);
    EXPECT_EQ(back.inputs[0], *src_x);
  }
}

TEST(TransformerFlow, GroupNormsPartitionTheWholeGradient) {
  LessonRun lesson;
  Transformer model(lesson.preset.config, 1);
  Trace trace;
  const GradientFlow flow = flow_of(lesson.preset.config, lesson.example, trace, model);
  double total = 0, by_group = 0;
  for (const Tensor& p : model.params()) total += p.grad.squaredNorm();
  for (const ParameterGroupGradient& g : flow.groups) by_group += g.grad_norm * g.grad_norm;
  EXPECT_NEAR(by_group, total, 1e-12 * total);
  EXPECT_EQ(flow.groups.front().group, "src_embed");
  EXPECT_EQ(flow.groups.back().group, "generator");
}

TEST(TransformerFlow, TheResidualPostNormVariantIsTheModelOfTheSeed) {
  LessonRun lesson;
  const std::vector<FlowVariant> variants = gradient_flow_variants(lesson.preset.config, lesson.example, 7);
  ASSERT_EQ(variants.size(), 4u);
  EXPECT_TRUE(variants[0].residual);
  EXPECT_EQ(variants[0].norm, NormPlacement::post);

  Transformer model(lesson.preset.config, 7);
  Trace trace;
  const GradientFlow direct = flow_of(lesson.preset.config, lesson.example, trace, model);
  EXPECT_EQ(variants[0].flow.loss, direct.loss);
  for (std::size_t i = 0; i < direct.sublayers.size(); ++i)
    EXPECT_EQ(variants[0].flow.sublayers[i].input_grad_norm, direct.sublayers[i].input_grad_norm);
}

TEST(TransformerFlow, VariantsShareEveryWeightTheyHaveInCommon) {
  // The pre-norm model's closing LayerNorms draw no random numbers, so from one seed every
  // parameter the two placements share has the same value, residual or not.
  const Config post = make_preset("lesson").config;
  for (bool residual : {true, false}) {
    Config pre = post;
    pre.norm = NormPlacement::pre;
    pre.residual = residual;
    const Transformer a(post, 11), b(pre, 11);
    int shared = 0;
    for (const Tensor& p : b.params()) {
      const std::optional<int> k = a.params().find(p.name);
      if (!k) continue;
      ++shared;
      EXPECT_EQ(p.value, a.params()[*k].value) << p.name;
    }
    EXPECT_EQ(shared, a.params().size());
    EXPECT_EQ(b.params().size(), shared + 4);  // encoder.norm and decoder.norm, weight and bias
  }
}

TEST(TransformerFlow, GivenWeightsReplaceTheSeedsInEveryVariant) {
  LessonRun lesson;
  const Transformer trained(lesson.preset.config, 23);  // stands in for a trained model
  const std::vector<FlowVariant> from_weights =
      gradient_flow_variants(lesson.preset.config, lesson.example, 0, &trained.params());
  const std::vector<FlowVariant> from_seed = gradient_flow_variants(lesson.preset.config, lesson.example, 23);
  for (std::size_t v = 0; v < 4; ++v) EXPECT_EQ(from_weights[v].flow.loss, from_seed[v].flow.loss);

  Config wider = lesson.preset.config;
  wider.d_ff = 2 * wider.d_ff;
  const Transformer other(wider, 1);
  EXPECT_THROW(gradient_flow_variants(lesson.preset.config, lesson.example, 0, &other.params()), InputError)
      << "a model of other sizes has no weights of the right shapes to give";
}

TEST(TransformerFlow, WithoutResidualsTheDecoderInputGetsAlmostNoGradient) {
  LessonRun lesson;
  for (int layers : {2, 6}) {
    Config c = lesson.preset.config;
    c.encoder_layers = c.decoder_layers = layers;
    const std::vector<FlowVariant> v = gradient_flow_variants(c, lesson.example, 0);
    const std::size_t decoder_first = static_cast<std::size_t>(2 * layers);
    for (int norm = 0; norm < 2; ++norm) {
      const Scalar residual = v[norm].flow.sublayers[decoder_first].input_grad_norm;
      const Scalar plain = v[2 + norm].flow.sublayers[decoder_first].input_grad_norm;
      EXPECT_GT(residual, 100 * plain) << layers << " layers, " << to_string(v[norm].norm) << "-norm";
    }
  }
}

}  // namespace
}  // namespace attnviz::gradlab

// Bad configurations and inputs are refused with a message naming the field and the value.

#include "model/budget.h"
#include "model/error.h"
#include "model/presets.h"
#include "helpers.h"

namespace attnviz::testing {
namespace {

std::string config_rejection(const std::function<void(Config&)>& change) {
  Config c = tiny_config();
  change(c);
  return rejection([&] { Transformer model(c); });
}

TEST(Rejections, DModelNotDivisibleByHeads) {
  EXPECT_EQ(config_rejection([](Config& c) {
              c.d_model = 10;
              c.heads = 4;
            }),
            "config: d_model = 10: must be divisible by heads = 4");
}

TEST(Rejections, SizesAtMostZero) {
  EXPECT_EQ(config_rejection([](Config& c) { c.d_model = 0; }), "config: d_model = 0: must be at least 1");
  EXPECT_EQ(config_rejection([](Config& c) { c.heads = -2; }), "config: heads = -2: must be at least 1");
  EXPECT_EQ(config_rejection([](Config& c) { c.encoder_layers = 0; }),
            "config: encoder_layers = 0: must be at least 1");
  EXPECT_EQ(config_rejection([](Config& c) { c.decoder_layers = -1; }),
            "config: decoder_layers = -1: must be at least 1");
  EXPECT_EQ(config_rejection([](Config& c) { c.d_ff = 0; }), "config: d_ff = 0: must be at least 1");
  EXPECT_EQ(config_rejection([](Config& c) { c.src_vocab = 0; }), "config: src_vocab = 0: must be at least 1");
  EXPECT_EQ(config_rejection([](Config& c) { c.tgt_vocab = 0; }), "config: tgt_vocab = 0: must be at least 1");
  EXPECT_EQ(config_rejection([](Config& c) { c.max_len = 0; }), "config: max_len = 0: must be at least 1");
}

TEST(Rejections, OddDModelWithSinusoidalEncoding) {
  EXPECT_EQ(config_rejection([](Config& c) {
              c.d_model = 9;
              c.heads = 3;
            }),
            "config: d_model = 9: must be even for interleaved sinusoidal encoding");
  EXPECT_EQ(config_rejection([](Config& c) {
              c.d_model = 9;
              c.heads = 3;
              c.positional = Positional::none;
            }),
            "(accepted)");
}

// Sizes in messages use unit symbols, read alike in every language of the window.
TEST(Rejections, SizesInMessagesAreUnitSymbols) {
  EXPECT_EQ(bytes_text(512), "512 B");
  EXPECT_EQ(bytes_text(12'300), "12 kB");
  EXPECT_EQ(bytes_text(1.5e9), "1.5 GB");
  EXPECT_EQ(bytes_text(4.22e14), "422 TB");
}

TEST(Rejections, ImpossibleSizes) {
  // 2+2 layers × 8·d² + 2 cross-attentions × 4·d² = 40·2⁴⁰ parameters, twice 8 bytes each: 422 TB
  EXPECT_EQ(config_rejection([](Config& c) {
              c.d_model = 1 << 20;
              c.heads = 1;
            }).substr(0, 59),
            "config: this model needs 422 TB, over the 2.0 GB limit (par");
  EXPECT_EQ(config_rejection([](Config& c) {
              c.encoder_layers = 40;
              c.decoder_layers = 40;
            }),
            "config: layers = 80: at most 64 layers in all");
}

TEST(Rejections, SequenceLongerThanMaxLen) {
  Transformer model(tiny_config());
  Example ex = tiny_example(0);
  ex.src.assign(11, 4);
  Trace t;
  EXPECT_EQ(rejection([&] { run_forward(model, ex, t); }), "src: 11 tokens is longer than max_len = 10");
}

TEST(Rejections, TokenIdOutOfRange) {
  Transformer model(tiny_config());
  Trace t;
  Example ex = tiny_example(0);
  ex.src[2] = 11;
  EXPECT_EQ(rejection([&] { run_forward(model, ex, t); }), "src[2] = 11: token id out of range [0, 11)");
  ex = tiny_example(0);
  ex.tgt_out[0] = -1;
  EXPECT_EQ(rejection([&] { run_forward(model, ex, t); }), "tgt_out[0] = -1: token id out of range [0, 9)");
}

TEST(Rejections, UnknownWordsAndEmptySentences) {
  Preset p = make_preset("lesson");
  EXPECT_EQ(
      rejection([&] { make_example(p.config, p.src_vocab, p.tgt_vocab, "the wizard saved the prince", p.tgt_text); }),
      "source: unknown word 'wizard'");
  EXPECT_EQ(rejection([&] { make_example(p.config, p.src_vocab, p.tgt_vocab, "   ", p.tgt_text); }),
            "source: the sentence is empty");
  EXPECT_EQ(rejection([&] { make_example(p.config, p.src_vocab, p.tgt_vocab, p.src_text, p.tgt_text, 12); }),
            "source: 17 tokens is longer than max_len = 16");
}

TEST(Rejections, SetConfigValue) {
  Config c;
  EXPECT_EQ(rejection([&] { set_config_value(c, "colour", "red"); }), "config: unknown key 'colour'");
  EXPECT_EQ(rejection([&] { set_config_value(c, "heads", "four"); }),
            "config: heads = 'four': expected a whole number");
  EXPECT_EQ(rejection([&] { set_config_value(c, "norm", "middle"); }), "config: norm = 'middle': expected post or pre");
  EXPECT_EQ(rejection([&] { set_config_value(c, "residual", "maybe"); }),
            "config: residual = 'maybe': expected true or false");
  EXPECT_EQ(c.heads, Config{}.heads);
  set_config_value(c, "positional", "concatenated");
  EXPECT_EQ(c.positional, Positional::concatenated);
}

TEST(Rejections, UnknownPreset) {
  EXPECT_EQ(rejection([] { make_preset("huge"); }), "preset 'huge' is not one of: lesson, small, base");
}

}  // namespace
}  // namespace attnviz::testing

#pragma once
// The encoder–decoder Transformer of "Attention Is All You Need", run one recorded op at a time.
//
//   run_forward  — records every op of one example into a Trace and computes the loss;
//   run_backward — appends one backward step per forward step, in reverse, and fills every
//                  tensor's gradient and every parameter's gradient.

#include "model/config.h"
#include "model/parameters.h"
#include "model/seq2seq.h"
#include "model/trace.h"

#include <cstdint>
#include <vector>

namespace attnviz {

// Parameter indices of one multi-head attention, LayerNorm, feed-forward, layer.
struct AttentionParams {
  int q_w, q_b, k_w, k_b, v_w, v_b, o_w, o_b;
};
struct NormParams {
  int weight, bias;
};
struct FeedForwardParams {
  int w1, b1, w2, b2;
};
struct EncoderLayerParams {
  AttentionParams self_attn;
  NormParams norm1, norm2;
  FeedForwardParams ffn;
};
struct DecoderLayerParams {
  AttentionParams self_attn, cross_attn;
  NormParams norm1, norm2, norm3;
  FeedForwardParams ffn;
};

// The model a lesson runs: the Transformer, or with config.recurrent() one of the recurrent
// encoder–decoders of seq2seq.h (embeddings, cells, attention and generator; no layers).
class Transformer {
 public:
  // Validates the config (throws InputError) and initialises the parameters from the seed.
  explicit Transformer(const Config& config, std::uint64_t seed = 0);

  const Config& config() const { return config_; }
  Parameters& params() { return params_; }
  const Parameters& params() const { return params_; }

  int src_embed() const { return src_embed_; }
  int tgt_embed() const { return tgt_embed_; }
  const std::vector<EncoderLayerParams>& encoder_layers() const { return encoder_; }
  const std::vector<DecoderLayerParams>& decoder_layers() const { return decoder_; }
  std::optional<NormParams> encoder_norm() const { return encoder_norm_; }
  std::optional<NormParams> decoder_norm() const { return decoder_norm_; }
  const RecurrentParams& recurrent() const { return recurrent_; }
  int generator_weight() const { return generator_w_; }
  int generator_bias() const { return generator_b_; }
  // PE of every position up to max_len (max_len, d_model); all zeros for positional = none.
  const Mat& positional_table() const { return positional_; }

 private:
  Config config_;
  Parameters params_;
  int src_embed_ = -1, tgt_embed_ = -1;
  std::vector<EncoderLayerParams> encoder_;
  std::vector<DecoderLayerParams> decoder_;
  std::optional<NormParams> encoder_norm_, decoder_norm_;
  RecurrentParams recurrent_;
  int generator_w_ = -1, generator_b_ = -1;
  Mat positional_;
};

// One training example with teacher forcing: tgt_in = <bos> + target, tgt_out = target + <eos>,
// padded with pad_id.  Padding keys are masked; padding targets are left out of the loss.
struct Example {
  std::vector<int> src, tgt_in, tgt_out;
  int pad_id = 0;
};

// Throws InputError (and records nothing) for an empty or over-long sequence, a token id out of
// range, or tgt_in and tgt_out of different lengths.
void validate(const Config& config, const Example& example);

// Records the forward pass into `trace` (reset first; memory kept) and returns the loss.
// The trace refers to the model's parameters: keep the model alive and unchanged while using it.
Scalar run_forward(Transformer& model, const Example& example, Trace& trace);

// The encoder stack's last output (the "memory" the decoder attends to).
TensorId encoder_output(const Trace& trace);

// Appends the backward steps and fills gradients.  Parameter gradients are zeroed first unless
// `accumulate` (for summing a mini-batch's gradients over several examples).
void run_backward(Trace& trace, bool accumulate = false);

// Names of the tensors the forward pass records beside the steps' own, for the views.
namespace names {
inline constexpr const char* src_tokens = "encoder.tokens";
inline constexpr const char* tgt_in_tokens = "decoder.tokens";
inline constexpr const char* tgt_out_tokens = "output.targets";
inline constexpr const char* src_padding_mask = "masks.src_padding";    // (T_src, T_src)
inline constexpr const char* tgt_padding_mask = "masks.tgt_padding";    // (T_tgt, T_tgt)
inline constexpr const char* look_ahead_mask = "masks.look_ahead";      // (T_tgt, T_tgt)
inline constexpr const char* decoder_self_mask = "masks.decoder_self";  // padding ∧ look-ahead
inline constexpr const char* cross_mask = "masks.cross";                // (T_tgt, T_src)
inline constexpr const char* logits = "output.generator";
inline constexpr const char* probs = "output.probs";
inline constexpr const char* loss = "output.loss";
}  // namespace names

}  // namespace attnviz

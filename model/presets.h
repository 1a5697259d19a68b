#pragma once
// Built-in model sizes with a vocabulary and an example sentence pair each.
//   lesson — d_model 16, 4 heads, 2 + 2 layers, d_ff 32: "the prince saved the princess" →
//            "왕자 는 공주 를 구했다" (the default)
//   small  — d_model 64, 4 heads, 2 + 2 layers, d_ff 256, 10 tokens
//   base   — the paper's base model: d_model 512, 8 heads, 6 + 6 layers, d_ff 2048, 32 tokens,
//            vocabularies of 1000

#include "model/config.h"
#include "model/tensor.h"
#include "model/transformer.h"
#include "model/vocabulary.h"

#include <string>
#include <string_view>
#include <vector>

namespace attnviz {

// Worked example A of the notes: X W_Q, X W_K, X W_V and softmax(QKᵀ/√d_k)V with fixed
// matrices.  X:(T,d_in) W_Q, W_K, W_V:(d_in,d_k) as the notes write them (x W, not x Wᵀ).
struct FixedAttention {
  Mat X, W_Q, W_K, W_V;
  bool empty() const { return X.size() == 0; }
};

struct Preset {
  std::string name;
  Config config;
  Vocabulary src_vocab, tgt_vocab;
  std::string src_text, tgt_text;
  FixedAttention attention;  // non-empty: the session shows this one head instead of the model
};

Preset make_preset(std::string_view name);  // throws InputError naming the known presets
std::vector<std::string> preset_names();    // lesson, small, base

// Teacher forcing from two sentences: src = words (<bos> words <eos> when the source vocabulary
// wraps), tgt_in = <bos> + words, tgt_out = words + <eos>; then `pad` padding tokens appended to
// all three.  Throws InputError for an unknown word (naming it), an empty sentence, a sequence
// longer than max_len, a sentence that already holds the <bos> or <eos> added to it, or
// vocabularies with two padding ids.
Example make_example(const Config& config, const Vocabulary& src_vocab, const Vocabulary& tgt_vocab,
                     std::string_view src_text, std::string_view tgt_text, int pad = 0);

}  // namespace attnviz

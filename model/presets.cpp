#include "model/presets.h"

#include "model/error.h"
#include "model/quote.h"
#include "model/translatable.h"

namespace attnviz {

namespace {

// A sentence of `n` synthetic words, the same every time: w4, w7, w10, … (mod vocabulary).
std::string synthetic_sentence(int n, int vocab, int stride, int offset) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += 'w';
    s += std::to_string(4 + (offset + i * stride) % (vocab - 4));
  }
  return s;
}

Preset sized(std::string name, int d_model, int heads, int layers, int d_ff, int vocab, int tokens) {
  Preset p;
  p.name = std::move(name);
  p.config.d_model = d_model;
  p.config.heads = heads;
  p.config.encoder_layers = layers;
  p.config.decoder_layers = layers;
  p.config.d_ff = d_ff;
  p.config.src_vocab = vocab;
  p.config.tgt_vocab = vocab;
  p.config.max_len = tokens + 1;  // + <bos>/<eos>
  p.src_vocab = Vocabulary::synthetic(vocab);
  p.tgt_vocab = Vocabulary::synthetic(vocab);
  p.src_text = synthetic_sentence(tokens, vocab, 7, 0);
  p.tgt_text = synthetic_sentence(tokens - 1, vocab, 5, 3);  // tgt_in = <bos> + words: `tokens` long
  return p;
}

}  // namespace

Preset make_preset(std::string_view name) {
  if (name == "lesson") {
    Preset p;
    p.name = "lesson";
    p.src_vocab = Vocabulary({"the", "prince", "princess", "king", "queen", "dragon", "knight", "saved", "saw",
                              "called", "helped", "chased"});
    p.tgt_vocab = Vocabulary({"왕자", "공주", "왕", "여왕", "용", "기사", "는", "은", "를", "을", "구했다", "봤다",
                              "불렀다", "도왔다", "쫓았다"});
    p.config.d_model = 16;
    p.config.heads = 4;
    p.config.encoder_layers = 2;
    p.config.decoder_layers = 2;
    p.config.d_ff = 32;
    p.config.src_vocab = p.src_vocab.size();
    p.config.tgt_vocab = p.tgt_vocab.size();
    p.config.max_len = 16;
    p.src_text = "the prince saved the princess";
    p.tgt_text = "왕자 는 공주 를 구했다";
    return p;
  }
  if (name == "small") return sized("small", 64, 4, 2, 256, 64, 10);
  if (name == "base") return sized("base", 512, 8, 6, 2048, 1000, 32);
  throw InputError("preset " + quote(name) + " is not one of: lesson, small, base");
}

std::vector<std::string> preset_names() { return {"lesson", "small", "base"}; }

namespace {

// A sentence that already holds a token attnviz adds itself would get it twice.  `refusal`: the
// message, with the token's place for its %s.
void refuse_own_token(const std::vector<int>& ids, int token, bool first, const Vocabulary& vocab,
                      const char* refusal) {
  if (ids.empty() || (first ? ids.front() : ids.back()) != token) return;
  throw InputError(refusal, {quote(vocab.word(token))});
}

}  // namespace

Example make_example(const Config& config, const Vocabulary& src_vocab, const Vocabulary& tgt_vocab,
                     std::string_view src_text, std::string_view tgt_text, int pad) {
  if (pad < 0) throw InputError(N_("pad: %s must not be negative"), {std::to_string(pad)});
  if (src_vocab.pad() != tgt_vocab.pad())
    throw InputError("<pad> is id " + std::to_string(src_vocab.pad()) + " in the source vocabulary and " +
                     std::to_string(tgt_vocab.pad()) + " in the target: one padding id serves both");
  std::vector<std::string> unknown;
  Example ex;
  ex.pad_id = tgt_vocab.pad();
  ex.src = src_vocab.encode(src_text, &unknown);
  if (!unknown.empty()) throw InputError(N_("source: unknown word %s"), {quote(unknown.front())});
  const std::vector<int> tgt = tgt_vocab.encode(tgt_text, &unknown);
  if (!unknown.empty()) throw InputError(N_("target: unknown word %s"), {quote(unknown.front())});
  if (ex.src.empty()) throw InputError(N_("source: the sentence is empty"), {});
  if (tgt.empty()) throw InputError(N_("target: the sentence is empty"), {});
  refuse_own_token(
      tgt, tgt_vocab.bos(), true, tgt_vocab,
      N_("target: starts with %s, which teacher forcing adds (decoder input <bos> + target, expected output "
         "target + <eos>): leave it out"));
  refuse_own_token(tgt, tgt_vocab.eos(), false, tgt_vocab,
                   N_("target: ends in %s, which teacher forcing adds (decoder input <bos> + target, expected output "
                      "target + <eos>): leave it out"));
  if (src_vocab.wraps()) {
    refuse_own_token(ex.src, src_vocab.bos(), true, src_vocab,
                     N_("source: starts with %s, which this lesson adds to every source (wrap_source): leave it out"));
    refuse_own_token(ex.src, src_vocab.eos(), false, src_vocab,
                     N_("source: ends in %s, which this lesson adds to every source (wrap_source): leave it out"));
    ex.src.insert(ex.src.begin(), src_vocab.bos());
    ex.src.push_back(src_vocab.eos());
  }
  ex.tgt_in.push_back(tgt_vocab.bos());
  ex.tgt_in.insert(ex.tgt_in.end(), tgt.begin(), tgt.end());
  ex.tgt_out = tgt;
  ex.tgt_out.push_back(tgt_vocab.eos());
  ex.src.insert(ex.src.end(), static_cast<std::size_t>(pad), ex.pad_id);
  ex.tgt_in.insert(ex.tgt_in.end(), static_cast<std::size_t>(pad), ex.pad_id);
  ex.tgt_out.insert(ex.tgt_out.end(), static_cast<std::size_t>(pad), ex.pad_id);
  if (static_cast<int>(ex.src.size()) > config.max_len)
    throw InputError(src_vocab.wraps() ? N_("source: %s tokens (with <bos> and <eos>) is longer than max_len = %s")
                                       : N_("source: %s tokens is longer than max_len = %s"),
                     {std::to_string(ex.src.size()), std::to_string(config.max_len)});
  if (static_cast<int>(ex.tgt_in.size()) > config.max_len)
    throw InputError(N_("target: %s tokens (with <bos>) is longer than max_len = %s"),
                     {std::to_string(ex.tgt_in.size()), std::to_string(config.max_len)});
  return ex;
}

}  // namespace attnviz

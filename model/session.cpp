#include "model/session.h"

#include "model/error.h"
#include "model/fixed_attention.h"
#include "model/translatable.h"

namespace attnviz {

std::string seed_words(std::uint64_t seed) { return "seed " + std::to_string(seed) + "'s initial weights"; }

Session::Session(Preset preset, std::uint64_t seed)
    : preset_(std::move(preset)), seed_(seed), model_(std::make_unique<Transformer>(preset_.config, seed)) {
  weights_origin_ = seed_words(seed_);
  if (fixed_attention()) {
    fixed_params_ = std::make_unique<Parameters>(fixed_attention_parameters(preset_.attention));
    weights_origin_ = N_("worked example A's fixed matrices");
  }
  use_sentences(preset_.src_text, preset_.tgt_text, 0);
}

namespace {
std::vector<std::string> words_of(const Vocabulary& vocab, const std::vector<int>& ids) {
  std::vector<std::string> words;
  words.reserve(ids.size());
  for (int id : ids) words.push_back(vocab.word(id));
  return words;
}
}  // namespace

std::vector<std::string> Session::src_words() const { return words_of(preset_.src_vocab, example_.src); }
std::vector<std::string> Session::tgt_in_words() const { return words_of(preset_.tgt_vocab, example_.tgt_in); }
std::vector<std::string> Session::tgt_out_words() const { return words_of(preset_.tgt_vocab, example_.tgt_out); }

namespace {
void refuse_if_fixed(const Session& s, const char* what) {
  if (s.fixed_attention())
    throw InputError(std::string("this lesson is worked example A: X, W_Q, W_K and W_V are fixed, and ") + what +
                     " does not change them");
}
}  // namespace

void Session::set_sentences(const std::string& src, const std::string& tgt, int pad) {
  refuse_if_fixed(*this, "a sentence");
  use_sentences(src, tgt, pad);
}

void Session::use_sentences(const std::string& src, const std::string& tgt, int pad) {
  Example example = make_example(model_->config(), preset_.src_vocab, preset_.tgt_vocab, src, tgt, pad);
  validate(model_->config(), example);
  example_ = std::move(example);
  src_text_ = src;
  tgt_text_ = tgt;
  pad_ = pad;
  rerun();
}

void Session::set_config(const Config& config) {
  refuse_if_fixed(*this, "the config");
  Config c = config;
  c.src_vocab = preset_.src_vocab.size();
  c.tgt_vocab = preset_.tgt_vocab.size();
  auto model = std::make_unique<Transformer>(c, seed_);  // validates
  Example example = make_example(c, preset_.src_vocab, preset_.tgt_vocab, src_text_, tgt_text_, pad_);
  model_ = std::move(model);
  weights_origin_ = seed_words(seed_);
  example_ = std::move(example);
  rerun();
}

namespace {
bool same_example(const Example& a, const Example& b) {
  return a.src == b.src && a.tgt_in == b.tgt_in && a.tgt_out == b.tgt_out && a.pad_id == b.pad_id;
}

bool same_shapes(const Parameters& a, const Parameters& b) {
  if (a.size() != b.size()) return false;
  for (int i = 0; i < a.size(); ++i)
    if (a[i].name != b[i].name || a[i].value.rows() != b[i].value.rows() || a[i].value.cols() != b[i].value.cols())
      return false;
  return true;
}
}  // namespace

Session::RunTaken Session::take_run(Parameters& other, Trace& run, const Example& ran_on) {
  if (fixed_attention() || !same_example(ran_on, example_)) return RunTaken::other_example;
  Parameters& mine = model_->params();
  if (!same_shapes(mine, other) || run.params() != &other) return RunTaken::other_shapes;
  for (int i = 0; i < mine.size(); ++i) {
    mine[i].value = other[i].value;
    mine[i].grad.swap(other[i].grad);
  }
  std::swap(trace_, run);
  trace_.rebind(&mine);
  run.rebind(&other);
  return RunTaken::taken;
}

void Session::rerun() {
  if (fixed_attention()) {
    run_fixed_attention(preset_.attention, *fixed_params_, trace_);
    return;
  }
  run_forward(*model_, example_, trace_);
  run_backward(trace_);
}

}  // namespace attnviz

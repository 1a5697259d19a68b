#include "model/config.h"

#include "model/budget.h"
#include "model/error.h"
#include "model/quote.h"
#include "model/translatable.h"

#include <charconv>
#include <cmath>
#include <functional>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <algorithm>

namespace attnviz {

const char* to_string(NormPlacement n) { return n == NormPlacement::post ? "post" : "pre"; }

const char* to_string(Positional p) {
  switch (p) {
    case Positional::interleaved: return "interleaved";
    case Positional::concatenated: return "concatenated";
    case Positional::none: return "none";
  }
  return "?";
}

const char* to_string(FfnActivation a) { return a == FfnActivation::relu ? "relu" : "gelu"; }

const char* to_string(Architecture a) {
  switch (a) {
    case Architecture::transformer: return "transformer";
    case Architecture::seq2seq: return "seq2seq";
    case Architecture::bahdanau: return "bahdanau";
  }
  return "?";
}

const char* to_string(RecurrentCell c) { return c == RecurrentCell::gru ? "gru" : "tanh"; }

namespace {

// Refuses a value: `format` (marked N_(), "config: %s = %s: …") filled with the field, the value and `words`.
[[noreturn]] void reject(const std::string& field, const std::string& value, const char* format,
                         std::vector<std::string> words = {}) {
  words.insert(words.begin(), {field, value});
  throw InputError(format, std::move(words));
}

void require_positive(const char* field, int value) {
  if (value <= 0) reject(field, std::to_string(value), N_("config: %s = %s: must be at least 1"));
}

void require_at_most(const char* field, int value, int most) {
  if (value > most)
    reject(field, std::to_string(value), N_("config: %s = %s: must be at most %s"), {std::to_string(most)});
}

int parse_int(const std::string& key, const std::string& text) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range && end == text.data() + text.size())
    reject(key, quote(text), N_("config: %s = %s: out of range: at most %s"),
           {std::to_string(std::numeric_limits<int>::max())});
  if (ec != std::errc() || end != text.data() + text.size())
    reject(key, quote(text), N_("config: %s = %s: expected a whole number"));
  return v;
}

// The enumerator that `value` names among `names`; else refused with `format`.
template <class E>
E parse_choice(const std::string& key, const std::string& value,
               std::initializer_list<std::pair<std::string_view, E>> names, const char* format) {
  for (const auto& [name, e] : names)
    if (value == name) return e;
  reject(key, quote(value), format);
}

double parse_double(const std::string& key, const std::string& text) {
  std::istringstream in(text);
  double v = 0;
  in >> v;
  if (!in || !in.eof() || !std::isfinite(v)) reject(key, quote(text), N_("config: %s = %s: expected a number"));
  return v;
}

bool parse_bool(const std::string& key, const std::string& text) {
  if (text == "true" || text == "1" || text == "on") return true;
  if (text == "false" || text == "0" || text == "off") return false;
  reject(key, quote(text), N_("config: %s = %s: expected true or false"));
}

}  // namespace

void validate(const Config& c) {
  require_positive("d_model", c.d_model);
  require_positive("heads", c.heads);
  require_positive("encoder_layers", c.encoder_layers);
  require_positive("decoder_layers", c.decoder_layers);
  require_positive("d_ff", c.d_ff);
  require_positive("src_vocab", c.src_vocab);
  require_positive("tgt_vocab", c.tgt_vocab);
  require_positive("max_len", c.max_len);
  if (c.d_model % c.heads != 0)
    reject("d_model", std::to_string(c.d_model), N_("config: %s = %s: must be divisible by heads = %s"),
           {std::to_string(c.heads)});
  if (c.positional != Positional::none && c.d_model % 2 != 0)
    reject("d_model", std::to_string(c.d_model), N_("config: %s = %s: must be even for %s sinusoidal encoding"),
           {to_string(c.positional)});
  if (!(c.ln_eps > 0) || !std::isfinite(c.ln_eps))
    reject("ln_eps", std::to_string(c.ln_eps), N_("config: %s = %s: must be a positive number"));
  require_at_most("heads", c.heads, 64);
  require_at_most("max_len", c.max_len, 100000);
  const long long layers = static_cast<long long>(c.encoder_layers) + c.decoder_layers;  // each up to 2³¹ − 1
  if (layers > 64) reject("layers", std::to_string(layers), N_("config: %s = %s: at most 64 layers in all"));
  check_cost(c);  // memory and arithmetic, before anything is allocated
}

std::string config_key(const std::string& name) {
  static const std::unordered_map<std::string, std::string> pytorch = {{"nhead", "heads"},
                                                                       {"num_encoder_layers", "encoder_layers"},
                                                                       {"num_decoder_layers", "decoder_layers"},
                                                                       {"dim_feedforward", "d_ff"},
                                                                       {"norm_first", "norm"},
                                                                       {"layer_norm_eps", "ln_eps"}};
  const auto it = pytorch.find(name);
  return it == pytorch.end() ? name : it->second;
}

std::string set_config_value(Config& config, const std::string& key, const std::string& value) {
  Config c = config;
  std::string note;
  const std::unordered_map<std::string, std::function<void()>> setters = {
      {"architecture",
       [&] {
         c.architecture = parse_choice<Architecture>(key, value,
                                                     {{"transformer", Architecture::transformer},
                                                      {"seq2seq", Architecture::seq2seq},
                                                      {"bahdanau", Architecture::bahdanau}},
                                                     N_("config: %s = %s: expected transformer, seq2seq or bahdanau"));
       }},
      {"cell",
       [&] {
         c.cell = parse_choice<RecurrentCell>(key, value, {{"gru", RecurrentCell::gru}, {"tanh", RecurrentCell::tanh}},
                                              N_("config: %s = %s: expected gru or tanh"));
       }},
      {"d_model", [&] { c.d_model = parse_int(key, value); }},
      {"heads", [&] { c.heads = parse_int(key, value); }},
      {"encoder_layers", [&] { c.encoder_layers = parse_int(key, value); }},
      {"decoder_layers", [&] { c.decoder_layers = parse_int(key, value); }},
      {"d_ff", [&] { c.d_ff = parse_int(key, value); }},
      {"src_vocab", [&] { c.src_vocab = parse_int(key, value); }},
      {"tgt_vocab", [&] { c.tgt_vocab = parse_int(key, value); }},
      {"max_len", [&] { c.max_len = parse_int(key, value); }},
      {"norm",
       [&] {
         c.norm = parse_choice<NormPlacement>(key, value, {{"post", NormPlacement::post}, {"pre", NormPlacement::pre}},
                                              N_("config: %s = %s: expected post or pre"));
       }},
      {"norm_first", [&] { c.norm = parse_bool(key, value) ? NormPlacement::pre : NormPlacement::post; }},
      {"final_norm", [&] { c.final_norm = parse_bool(key, value); }},
      {"activation",
       [&] {
         c.activation = parse_choice<FfnActivation>(
             key, value, {{"relu", FfnActivation::relu}, {"gelu", FfnActivation::gelu}},
             N_("config: %s = %s: expected relu or gelu (exact, with erf: PyTorch's default GELU)"));
       }},
      {"dropout",
       [&] {
         const double p = parse_double(key, value);
         if (p < 0 || p >= 1) reject(key, quote(value), N_("config: %s = %s: expected a probability in [0, 1)"));
         note =
             "config: dropout = " + value + " is ignored: a trace runs the model as model.eval() does, without dropout";
       }},
      {"residual", [&] { c.residual = parse_bool(key, value); }},
      {"positional",
       [&] {
         c.positional = parse_choice<Positional>(key, value,
                                                 {{"interleaved", Positional::interleaved},
                                                  {"concatenated", Positional::concatenated},
                                                  {"none", Positional::none}},
                                                 N_("config: %s = %s: expected interleaved, concatenated or none"));
       }},
      {"scale_embedding", [&] { c.scale_embedding = parse_bool(key, value); }},
      {"scale_attention", [&] { c.scale_attention = parse_bool(key, value); }},
      {"ln_eps", [&] { c.ln_eps = parse_double(key, value); }},
  };
  const std::string name = key == "norm_first" ? key : config_key(key);  // norm_first is a true/false, norm a word
  auto it = setters.find(name);
  if (it == setters.end()) throw InputError(N_("config: unknown key %s"), {quote(key)});
  it->second();
  config = c;
  return note;
}

std::vector<std::pair<std::string, std::string>> config_entries(const Config& c) {
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  std::ostringstream eps;
  eps << c.ln_eps;
  return {
      {"architecture", to_string(c.architecture)},
      {"cell", to_string(c.cell)},
      {"d_model", std::to_string(c.d_model)},
      {"heads", std::to_string(c.heads)},
      {"encoder_layers", std::to_string(c.encoder_layers)},
      {"decoder_layers", std::to_string(c.decoder_layers)},
      {"d_ff", std::to_string(c.d_ff)},
      {"activation", to_string(c.activation)},
      {"src_vocab", std::to_string(c.src_vocab)},
      {"tgt_vocab", std::to_string(c.tgt_vocab)},
      {"max_len", std::to_string(c.max_len)},
      {"norm", to_string(c.norm)},
      {"final_norm", b(c.final_norm)},
      {"residual", b(c.residual)},
      {"positional", to_string(c.positional)},
      {"scale_embedding", b(c.scale_embedding)},
      {"scale_attention", b(c.scale_attention)},
      {"ln_eps", eps.str()},
  };
}

}  // namespace attnviz

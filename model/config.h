#pragma once
// The model's configuration: sizes and the switches a lesson can flip.

#include <string>
#include <vector>

namespace attnviz {

enum class NormPlacement { post, pre };  // post: x = LN(x + F(x))   pre: x = x + F(LN(x))
enum class Positional { interleaved, concatenated, none };

struct Config {
  int d_model = 16;
  int heads = 4;
  int encoder_layers = 2;
  int decoder_layers = 2;
  int d_ff = 32;
  int src_vocab = 16;
  int tgt_vocab = 16;
  int max_len = 16;
  NormPlacement norm = NormPlacement::post;
  bool residual = true;         // false drops the `x +` of every sublayer
  Positional positional = Positional::interleaved;
  bool scale_embedding = true;  // embedding row × √d_model before PE is added
  bool scale_attention = true;  // scores × 1/√d_k
  double ln_eps = 1e-5;

  int d_k() const { return d_model / heads; }
  bool operator==(const Config&) const = default;
};

// Throws InputError naming the first bad field and its value.
void validate(const Config& config);

// `key=value` overrides, as on the command line (`--set heads=2`).  Throws InputError for an
// unknown key or a value that does not parse; the config is unchanged then.
void set_config_value(Config& config, const std::string& key, const std::string& value);

// Every key with its value as text, in a fixed order (for JSON and display).
std::vector<std::pair<std::string, std::string>> config_entries(const Config& config);

const char* to_string(NormPlacement);
const char* to_string(Positional);

}  // namespace attnviz

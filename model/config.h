#pragma once
// The model's configuration: sizes and the switches a lesson can flip.

#include <string>
#include <vector>

namespace attnviz {

enum class NormPlacement { post, pre };  // post: x = LN(x + F(x))   pre: x = x + F(LN(x))
enum class Positional { interleaved, concatenated, none };
enum class FfnActivation { relu, gelu };  // of the feed-forward network; GELU exact: x·Φ(x)
// transformer: "Attention Is All You Need";  seq2seq: a recurrent encoder–decoder whose decoder
// starts from the encoder's last state and sees nothing else of the source;  bahdanau: the same
// with additive attention over every encoder state at every decoder step (seq2seq.h).
enum class Architecture { transformer, seq2seq, bahdanau };
enum class RecurrentCell { gru, tanh };  // of seq2seq and bahdanau: h' = GRU(x, h) or tanh(x W_xᵀ + h W_hᵀ + b)

struct Config {
  Architecture architecture = Architecture::transformer;
  RecurrentCell cell = RecurrentCell::gru;  // recurrent architectures only
  int d_model = 16;
  int heads = 4;
  int encoder_layers = 2;
  int decoder_layers = 2;
  int d_ff = 32;
  FfnActivation activation = FfnActivation::relu;
  int src_vocab = 16;
  int tgt_vocab = 16;
  int max_len = 16;
  NormPlacement norm = NormPlacement::post;
  bool final_norm = false;  // post-norm too closes each stack with a LayerNorm (nn.Transformer
                            // does); pre-norm always does
  bool residual = true;     // false drops the `x +` of every sublayer
  Positional positional = Positional::interleaved;
  bool scale_embedding = true;  // embedding row × √d_model before PE is added
  bool scale_attention = true;  // scores × 1/√d_k
  double ln_eps = 1e-5;

  int d_k() const { return d_model / heads; }
  // seq2seq and bahdanau: d_model is the state size of both cells, the embeddings' and the
  // attention's hidden size; heads, layers, d_ff and the norm and positional switches are unused.
  bool recurrent() const { return architecture != Architecture::transformer; }
  bool has_final_norm() const { return norm == NormPlacement::pre || final_norm; }
  bool operator==(const Config&) const = default;
};

// Throws InputError naming the first bad field and its value.
void validate(const Config& config);

// `key=value` overrides, as on the command line (`--set heads=2`).  Throws InputError for an
// unknown key or a value that does not parse; the config is unchanged then.  PyTorch's names
// for nn.Transformer's arguments are accepted too (see config_key); `dropout` is accepted and
// changes nothing, since a trace runs the model as model.eval() does: what is returned then is a
// note saying so (otherwise nothing).
std::string set_config_value(Config& config, const std::string& key, const std::string& value);

// The config key a name sets: itself, or for PyTorch's names nhead → heads,
// num_encoder_layers → encoder_layers, num_decoder_layers → decoder_layers, dim_feedforward →
// d_ff, norm_first → norm, layer_norm_eps → ln_eps.
std::string config_key(const std::string& name);

// Every key with its value as text, in a fixed order (for JSON and display).
std::vector<std::pair<std::string, std::string>> config_entries(const Config& config);

const char* to_string(NormPlacement);
const char* to_string(Positional);
const char* to_string(FfnActivation);
const char* to_string(Architecture);
const char* to_string(RecurrentCell);

}  // namespace attnviz

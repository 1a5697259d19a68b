#include "views/tensor_labels.h"

#include "views/i18n.h"

namespace attnviz::views {
namespace {

std::string count_words(Eigen::Index n, Axis axis, bool is_rows) {
  const auto k = static_cast<unsigned long>(n);
  const char* words = nullptr;
  switch (axis) {
    case Axis::src_tokens: words = trn("%lu source token", "%lu source tokens", k); break;
    case Axis::tgt_tokens: words = trn("%lu target token", "%lu target tokens", k); break;
    case Axis::features: words = trn("%lu feature", "%lu features", k); break;
    case Axis::src_vocab:
    case Axis::tgt_vocab: words = trn("%lu word", "%lu words", k); break;
    case Axis::none: words = is_rows ? trn("%lu row", "%lu rows", k) : trn("%lu column", "%lu columns", k); break;
  }
  return formatted(words, k);
}

// ", head 2" after a head's tensor; empty for the others.
std::string head_suffix(const Tensor& tensor) {
  return tensor.head >= 0 ? formatted(tr(", head %d"), tensor.head) : std::string();
}

// The symbol without the head: "S = Q Kᵀ", "masked scores".
std::string base_symbol(const Tensor& tensor) {
  const auto parameter = [&](const char* symbol) { return std::string(symbol) + ": " + tensor.name; };
  switch (tensor.role) {
    case Role::token_ids: return tr("token ids");
    case Role::target_ids: return tr("target ids y");
    case Role::mask: return tr("mask M (1 = keep, 0 = −∞)");
    case Role::positional: return tr("PE (positional encoding)");
    case Role::embedding: return tr("E (embedding rows)");
    case Role::scaled_embedding: return "E · √d_model";
    case Role::embedded: return "X = E + PE";
    case Role::query: return "Q = X W_Qᵀ + b";
    case Role::key: return "K = X W_Kᵀ + b";
    case Role::value: return "V = X W_Vᵀ + b";
    case Role::query_head: return "Q";
    case Role::key_head: return "K";
    case Role::value_head: return "V";
    case Role::scores: return "S = Q Kᵀ";
    case Role::scaled_scores: return "S / √d_k";
    case Role::masked_scores: return tr("masked scores");
    case Role::attention_weights: return tr("A (attention weights)");
    case Role::head_output: return "O = A V";
    case Role::heads_concat: return tr("H = heads side by side");
    case Role::attention_output: return tr("attention output H W_Oᵀ + b");
    case Role::residual: return "x + sublayer(x)";
    case Role::layer_norm: return "LayerNorm(x)";
    case Role::ffn_hidden: return tr("FFN hidden X W₁ᵀ + b₁");
    case Role::ffn_activation: return tr("ReLU(hidden)");
    case Role::ffn_gelu: return tr("GELU(hidden)");
    case Role::ffn_output: return tr("FFN output");
    case Role::logits: return tr("logits Z");
    case Role::probabilities: return tr("probabilities softmax(Z)");
    case Role::loss: return tr("loss L");
    case Role::weight: return parameter("W");
    case Role::bias: return parameter("b");
    case Role::norm_gain: return parameter("γ");
    case Role::norm_shift: return parameter("β");
    case Role::embedding_table: return parameter("W_emb");
    case Role::recurrent_input: return tr("x W_xᵀ + b or h W_hᵀ + b");
    case Role::recurrent_state: return tr("h (recurrent state)");
    case Role::energies: return "e = vᵀ tanh(W_s s + W_h h)";
    case Role::context: return tr("c = Σⱼ αⱼ hⱼ (context)");
    case Role::cell_input: return tr("[emb(y) | c] (cell input)");
    case Role::other: break;
  }
  return tensor.name;
}

}  // namespace

std::string tensor_symbol(const Tensor& tensor) { return base_symbol(tensor) + head_suffix(tensor); }

std::string shape_words(const Tensor& tensor) {
  if (tensor.value.size() == 1) return tr("1 value");
  return count_words(tensor.value.rows(), tensor.rows, true) + " × " +
         count_words(tensor.value.cols(), tensor.cols, false);
}

// A gradient names its tensor by symbol only: "Q = X W_Qᵀ + b" → "∂L/∂Q", "S = Q Kᵀ, head 0" →
// "∂L/∂S, head 0", "x + sublayer(x)" → "∂L/∂(x + sublayer(x))".
std::string tensor_caption(const Tensor& tensor, bool gradient) {
  std::string symbol = base_symbol(tensor);
  if (gradient) {
    const std::size_t eq = symbol.find(" = ");
    if (eq != std::string::npos)
      symbol.erase(eq);
    else if (symbol.find(" + ") != std::string::npos)
      symbol = "(" + symbol + ")";
    symbol = "∂L/∂" + symbol;
  }
  return symbol + head_suffix(tensor) + ": " + shape_words(tensor);
}

AxisLabels axis_labels(const AppState& app, const Tensor& tensor, Axis axis) {
  switch (axis) {
    case Axis::src_tokens: return {app.src_words, TokenSide::source, false};
    case Axis::tgt_tokens:
      if (tensor.role == Role::target_ids) return {app.tgt_out_words, TokenSide::target, false};
      return {app.tgt_in_words, TokenSide::target, false};
    case Axis::features: return {{}, TokenSide::none, true};
    case Axis::src_vocab: return {app.session.preset().src_vocab.words(), TokenSide::none, false};
    case Axis::tgt_vocab: return {app.session.preset().tgt_vocab.words(), TokenSide::none, false};
    case Axis::none: break;
  }
  return {};
}

ColourScale colour_scale(const Tensor& tensor, bool gradient) {
  if (gradient) return ColourScale::diverging;
  switch (tensor.role) {
    // Probabilities, masks, and token ids (which have no sign, only an order).
    case Role::attention_weights:
    case Role::probabilities:
    case Role::mask:
    case Role::token_ids:
    case Role::target_ids: return ColourScale::sequential;
    default: return ColourScale::diverging;
  }
}

const char* op_title(OpKind op) { return tr(op_info(op).title); }

}  // namespace attnviz::views

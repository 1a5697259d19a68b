#include "views/tensor_labels.h"

namespace attnviz::views {
namespace {

std::string count_words(Eigen::Index n, Axis axis, bool is_rows) {
  const std::string count = std::to_string(n);
  switch (axis) {
    case Axis::src_tokens: return count + (n == 1 ? " source token" : " source tokens");
    case Axis::tgt_tokens: return count + (n == 1 ? " target token" : " target tokens");
    case Axis::features: return count + (n == 1 ? " feature" : " features");
    case Axis::src_vocab:
    case Axis::tgt_vocab: return count + (n == 1 ? " word" : " words");
    case Axis::none: break;
  }
  if (is_rows) return count + (n == 1 ? " row" : " rows");
  return count + (n == 1 ? " column" : " columns");
}

}  // namespace

std::string tensor_symbol(const Tensor& tensor) {
  const std::string head = tensor.head >= 0 ? ", head " + std::to_string(tensor.head) : "";
  const auto parameter = [&](const char* symbol) { return std::string(symbol) + ": " + tensor.name; };
  switch (tensor.role) {
    case Role::token_ids: return "token ids";
    case Role::target_ids: return "target ids y";
    case Role::mask: return "mask M (1 = keep, 0 = −∞)";
    case Role::positional: return "PE (positional encoding)";
    case Role::embedding: return "E (embedding rows)";
    case Role::scaled_embedding: return "E · √d_model";
    case Role::embedded: return "X = E + PE";
    case Role::query: return "Q = X W_Qᵀ + b";
    case Role::key: return "K = X W_Kᵀ + b";
    case Role::value: return "V = X W_Vᵀ + b";
    case Role::query_head: return "Q" + head;
    case Role::key_head: return "K" + head;
    case Role::value_head: return "V" + head;
    case Role::scores: return "S = Q Kᵀ" + head;
    case Role::scaled_scores: return "S / √d_k" + head;
    case Role::masked_scores: return "masked scores" + head;
    case Role::attention_weights: return "A (attention weights)" + head;
    case Role::head_output: return "O = A V" + head;
    case Role::heads_concat: return "H = heads side by side";
    case Role::attention_output: return "attention output H W_Oᵀ + b";
    case Role::residual: return "x + sublayer(x)";
    case Role::layer_norm: return "LayerNorm(x)";
    case Role::ffn_hidden: return "FFN hidden X W₁ᵀ + b₁";
    case Role::ffn_activation: return "ReLU(hidden)";
    case Role::ffn_gelu: return "GELU(hidden)";
    case Role::ffn_output: return "FFN output";
    case Role::logits: return "logits Z";
    case Role::probabilities: return "probabilities softmax(Z)";
    case Role::loss: return "loss L";
    case Role::weight: return parameter("W");
    case Role::bias: return parameter("b");
    case Role::norm_gain: return parameter("γ");
    case Role::norm_shift: return parameter("β");
    case Role::embedding_table: return parameter("W_emb");
    case Role::recurrent_input: return "x W_xᵀ + b or h W_hᵀ + b";
    case Role::recurrent_state: return "h (recurrent state)";
    case Role::energies: return "e = vᵀ tanh(W_s s + W_h h)";
    case Role::context: return "c = Σⱼ αⱼ hⱼ (context)";
    case Role::cell_input: return "[emb(y) | c] (cell input)";
    case Role::other: break;
  }
  return tensor.name;
}

std::string shape_words(const Tensor& tensor) {
  if (tensor.value.size() == 1) return "1 value";
  return count_words(tensor.value.rows(), tensor.rows, true) + " × " +
         count_words(tensor.value.cols(), tensor.cols, false);
}

// A gradient names its tensor by symbol only: "Q = X W_Qᵀ + b" → "∂L/∂Q", "S = Q Kᵀ, head 0" →
// "∂L/∂S, head 0", "x + sublayer(x)" → "∂L/∂(x + sublayer(x))".
std::string tensor_caption(const Tensor& tensor, bool gradient) {
  std::string symbol = tensor_symbol(tensor);
  if (gradient) {
    const std::size_t eq = symbol.find(" = ");
    if (eq != std::string::npos) {
      const std::size_t head = symbol.find(", head", eq);
      symbol.erase(eq, head == std::string::npos ? std::string::npos : head - eq);
    } else if (symbol.find(" + ") != std::string::npos) {
      symbol = "(" + symbol + ")";
    }
    symbol = "∂L/∂" + symbol;
  }
  return symbol + ": " + shape_words(tensor);
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

const char* op_title(OpKind op) { return op_info(op).title; }

}  // namespace attnviz::views

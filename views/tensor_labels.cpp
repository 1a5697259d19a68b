#include "views/tensor_labels.h"

#include <string_view>

namespace attnviz::views {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// "encoder.0.self_attn.head2.q" → 2; −1 without a head.
int head_of(std::string_view name) {
  const std::size_t at = name.find(".head");
  if (at == std::string_view::npos) return -1;
  int head = 0;
  for (std::size_t i = at + 5; i < name.size() && name[i] >= '0' && name[i] <= '9'; ++i)
    head = head * 10 + (name[i] - '0');
  return head;
}

std::string_view last_part(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

std::string count_words(Eigen::Index n, Axis axis, bool is_rows) {
  const std::string count = std::to_string(n);
  switch (axis) {
    case Axis::src_tokens: return count + (n == 1 ? " source token" : " source tokens");
    case Axis::tgt_tokens: return count + (n == 1 ? " target token" : " target tokens");
    case Axis::features: return count + (n == 1 ? " feature" : " features");
    case Axis::vocab: return count + (n == 1 ? " word" : " words");
    case Axis::none: break;
  }
  if (is_rows) return count + (n == 1 ? " row" : " rows");
  return count + (n == 1 ? " column" : " columns");
}

}  // namespace

std::string tensor_symbol(const Tensor& tensor) {
  const std::string_view name = tensor.name;
  const std::string_view part = last_part(name);
  const int head = head_of(name);
  const std::string head_words = head >= 0 ? ", head " + std::to_string(head) : "";
  const bool in_attention = name.find("attn") != std::string_view::npos;

  if (name.rfind("masks.", 0) == 0) return "mask M (1 = keep, 0 = −∞)";
  if (ends_with(name, ".weight") || ends_with(name, ".bias")) {
    const char* symbol = ends_with(name, ".bias") ? "b" : "W";
    if (name.find("norm") != std::string_view::npos) symbol = ends_with(name, ".bias") ? "β" : "γ";
    if (name.find("embed") != std::string_view::npos) symbol = "W_emb";
    return std::string(symbol) + ": " + std::string(name);
  }
  if (name == "encoder.tokens" || name == "decoder.tokens") return "token ids";
  if (name == "output.targets") return "target ids y";
  if (name == "output.generator") return "logits Z";
  if (name == "output.probs") return "probabilities softmax(Z)";
  if (name == "output.loss") return "loss L";
  if (part == "lookup") return "E (embedding rows)";
  if (part == "pe") return "PE (positional encoding)";
  if (part == "add_pe") return "X = E + PE";
  if (part == "scale" && !in_attention) return "E · √d_model";
  if (part == "q_proj") return "Q = X W_Qᵀ + b";
  if (part == "k_proj") return "K = X W_Kᵀ + b";
  if (part == "v_proj") return "V = X W_Vᵀ + b";
  if (part == "q") return "Q" + head_words;
  if (part == "k") return "K" + head_words;
  if (part == "v") return "V" + head_words;
  if (part == "scores") return "S = Q Kᵀ" + head_words;
  if (part == "scale") return "S / √d_k" + head_words;
  if (part == "mask") return "masked scores" + head_words;
  if (part == "softmax") return "A (attention weights)" + head_words;
  if (part == "weighted_sum") return "O = A V" + head_words;
  if (part == "concat") return "H = heads side by side";
  if (part == "o_proj") return "attention output H W_Oᵀ + b";
  if (part == "residual") return "x + sublayer(x)";
  if (part == "layer_norm") return "LayerNorm(x)";
  if (part == "linear1") return "FFN hidden X W₁ᵀ + b₁";
  if (part == "relu") return "ReLU(hidden)";
  if (part == "gelu") return "GELU(hidden)";
  if (part == "linear2") return "FFN output";
  return std::string(name);
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
      if (tensor.name == "output.targets") return {app.tgt_out_words, TokenSide::target, false};
      return {app.tgt_in_words, TokenSide::target, false};
    case Axis::features: return {{}, TokenSide::none, true};
    case Axis::vocab: {
      const bool source = tensor.name.rfind("src_", 0) == 0;
      const Vocabulary& vocab = source ? app.session.preset().src_vocab : app.session.preset().tgt_vocab;
      return {vocab.words(), TokenSide::none, false};
    }
    case Axis::none: break;
  }
  return {};
}

ColourScale colour_scale(const Tensor& tensor, bool gradient) {
  if (gradient) return ColourScale::diverging;
  const std::string_view name = tensor.name;
  // Probabilities, masks, and token ids (which have no sign, only an order).
  if (ends_with(name, ".softmax") || name == "output.probs" || name.rfind("masks.", 0) == 0 ||
      ends_with(name, ".tokens") || name == "output.targets")
    return ColourScale::sequential;
  return ColourScale::diverging;
}

const char* op_title(OpKind op) {
  switch (op) {
    case OpKind::embedding: return "Embedding lookup";
    case OpKind::scale: return "Scale";
    case OpKind::add_positional: return "Add positional encoding";
    case OpKind::linear: return "Linear layer";
    case OpKind::split_head: return "Split into heads";
    case OpKind::concat_heads: return "Concatenate heads";
    case OpKind::scores: return "Attention scores";
    case OpKind::mask: return "Mask";
    case OpKind::softmax: return "Softmax";
    case OpKind::weighted_sum: return "Weighted sum of values";
    case OpKind::add: return "Residual add";
    case OpKind::layer_norm: return "Layer norm";
    case OpKind::relu: return "ReLU";
    case OpKind::gelu: return "GELU";
    case OpKind::cross_entropy: return "Softmax + cross-entropy loss";
    case OpKind::sum: return "Sum of the outputs (loss)";
  }
  return "";
}

}  // namespace attnviz::views

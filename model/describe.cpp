#include "model/describe.h"

namespace attnviz {

std::string_view describe(OpKind op, Phase phase) {
  if (phase == Phase::forward) {
    switch (op) {
      case OpKind::embedding: return "Looks up each token's learned vector: row id of the embedding table.";
      case OpKind::scale: return "Multiplies every value by one constant: √d_model keeps embeddings as large as the positional encoding; 1/√d_k keeps scores small enough that softmax does not saturate.";
      case OpKind::add_positional: return "Adds the sinusoidal position code, so the same word at different positions gives different vectors: attention alone cannot see order.";
      case OpKind::linear: return "Multiplies each token's vector by a learned weight matrix and adds a bias: a learned change of features, the same for every position.";
      case OpKind::split_head: return "Takes this head's slice of the features: each head attends with its own d_k features.";
      case OpKind::concat_heads: return "Puts the heads' outputs side by side again, back to d_model features.";
      case OpKind::scores: return "Dot product of every query with every key: how well token i's question matches token j's label.";
      case OpKind::mask: return "Sets forbidden scores to −∞ (padding keys, and future tokens in the decoder), so softmax gives them weight exactly 0.";
      case OpKind::softmax: return "Turns each row of scores into weights that are positive and sum to 1: how much each query attends to each key.";
      case OpKind::weighted_sum: return "Each query's output is the weighted average of the value vectors, with the attention weights.";
      case OpKind::add: return "Residual connection: adds the sublayer's input to its output, so the signal, and the gradient, has a path around the sublayer.";
      case OpKind::layer_norm: return "Normalises each token's vector to mean 0 and variance 1 over its features, then scales by γ and shifts by β.";
      case OpKind::relu: return "Keeps positive values and sets negative ones to 0: the non-linearity of the feed-forward network.";
      case OpKind::gelu: return "Weighs each value by the chance that a standard normal variable lies below it (x·Φ(x)): a smooth ReLU, the non-linearity of the feed-forward network.";
      case OpKind::cross_entropy: return "Softmax over the vocabulary gives each position's predicted distribution; the loss is the mean of −log(probability of the expected word).";
      case OpKind::sum: return "Adds every output value into one number, a loss with no target: each value counts once, so the gradient can be followed back by hand.";
    }
  } else {
    switch (op) {
      case OpKind::embedding: return "Each token's gradient is added to its row of the embedding table; rows of unused words get nothing.";
      case OpKind::scale: return "A constant factor scales the gradient by the same constant.";
      case OpKind::add_positional: return "The gradient passes through unchanged to the embeddings; the positional code is fixed and takes none.";
      case OpKind::linear: return "The gradient flows to the input through the weights (dY W), and to the weights through the input (dYᵀ X); the bias collects the sum over tokens.";
      case OpKind::split_head: return "This head's gradient goes back into its slice of the features; the other columns get nothing from it.";
      case OpKind::concat_heads: return "The gradient is cut into the heads' slices again.";
      case OpKind::scores: return "The gradient of a score reaches its query through the key and its key through the query.";
      case OpKind::mask: return "Masked scores did not reach the loss, so they get zero gradient; the others pass through.";
      case OpKind::softmax: return "Raising one weight lowers the others in its row: ∂A/∂S = A(δ − A), summed against the upstream gradient.";
      case OpKind::weighted_sum: return "The gradient reaches the weights through the values (dO Vᵀ) and the values through the weights (Aᵀ dO).";
      case OpKind::add: return "An addition copies its gradient to both inputs: the residual path carries the gradient around the sublayer unchanged.";
      case OpKind::layer_norm: return "Normalisation couples the features of a token: the gradient loses its mean and its component along x̂, then is scaled by 1/σ.";
      case OpKind::relu: return "The gradient passes where the input was positive and stops where it was not.";
      case OpKind::gelu: return "The gradient is scaled by GELU's slope Φ(x) + x φ(x): about 1 for large inputs, about 0 for very negative ones, 1/2 at 0.";
      case OpKind::cross_entropy: return "The gradient of the logits is predicted minus expected (p − one-hot), divided by the number of target words.";
      case OpKind::sum: return "Every value added into the loss gets gradient 1: raising it by a little raises the loss by as much.";
    }
  }
  return "";
}

namespace {
const char* axis_words(Axis a) {
  switch (a) {
    case Axis::src_tokens: return "source tokens";
    case Axis::tgt_tokens: return "target tokens";
    case Axis::features: return "features";
    case Axis::vocab: return "words";
    case Axis::none: return "";
  }
  return "";
}
}  // namespace

std::string shape_in_words(const Tensor& t) {
  auto part = [](Eigen::Index n, Axis a) {
    const std::string words = axis_words(a);
    return std::to_string(n) + (words.empty() ? "" : " " + words);
  };
  return part(t.value.rows(), t.rows) + " × " + part(t.value.cols(), t.cols);
}

}  // namespace attnviz

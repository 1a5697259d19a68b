#pragma once
// Scalars, matrices and named tensors.  Row-major so a matrix's memory is what a heatmap draws
// row by row.  Every tensor is 2-D: a bias or a LayerNorm gain is (1, d), a loss is (1, 1).

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cstdint>
#include <string>

namespace attnviz {

using Scalar = double;
using Mat = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// What the rows or columns of a tensor stand for, so views can name them.
enum class Axis : std::uint8_t { none, src_tokens, tgt_tokens, features, src_vocab, tgt_vocab };

// What a tensor is in the model, recorded with it, so views name and colour it without reading
// its name.
enum class Role : std::uint8_t {
  other,  // none of these: an input of a worked example
  // given to a run
  token_ids,   // the source or target input ids, (T, 1)
  target_ids,  // the expected next words y, (T, 1)
  mask,        // M: 1 = attend, 0 = masked (−∞)
  positional,  // PE
  // activations
  embedding,         // E: rows of the embedding table
  scaled_embedding,  // E · √d_model
  embedded,          // X = E + PE
  query,
  key,
  value,  // X W_Qᵀ + b, X W_Kᵀ + b, X W_Vᵀ + b: every head's features
  query_head,
  key_head,
  value_head,         // one head's slice of them
  scores,             // S = Q Kᵀ
  scaled_scores,      // S / √d_k
  masked_scores,      // S with −∞ where the mask is 0
  attention_weights,  // A = softmax(S)
  head_output,        // O = A V
  heads_concat,       // H = [O₀ | O₁ | …]
  attention_output,   // H W_Oᵀ + b
  residual,           // x + sublayer(x)
  layer_norm,         // LayerNorm(x)
  ffn_hidden,         // X W₁ᵀ + b₁
  ffn_activation,     // ReLU(hidden)
  ffn_gelu,           // GELU(hidden)
  ffn_output,         // hidden W₂ᵀ + b₂
  logits,             // Z
  probabilities,      // softmax(Z)
  loss,               // L
  // parameters
  weight,           // W of a linear layer
  bias,             // b of a linear layer
  norm_gain,        // γ of a LayerNorm
  norm_shift,       // β of a LayerNorm
  embedding_table,  // W_emb
  // recurrent models (seq2seq.cpp)
  recurrent_input,  // x W_xᵀ + b_x or h W_hᵀ + b_h, a plain recurrent cell's two parts
  recurrent_state,  // h_t of the encoder, s_i of the decoder
  energies,         // e[i,j] = vᵀ tanh(W_s s_i + W_h h_j), Bahdanau's scores
  context,          // c_i = Σ_j α_ij h_j
  cell_input,       // [emb(y_i) | c_i], the Bahdanau decoder cell's input
};

// m.resize(rows, cols) without Eigen's overflow check (an integer division) when m already has
// that shape: a re-run of the same model reshapes every tensor to the shape it had.
inline void reshape(Mat& m, Eigen::Index rows, Eigen::Index cols) {
  if (m.rows() != rows || m.cols() != cols) m.resize(rows, cols);
}
inline void set_zero(Mat& m, Eigen::Index rows, Eigen::Index cols) {
  reshape(m, rows, cols);
  m.setZero();
}

// True when no element is NaN or ±∞, i.e. none has an exponent of all ones.  Tested on the bits
// with integer operations, which vectorise (Eigen's allFinite() does not here) and cost no
// floating-point reduction on a small matrix.
inline bool all_finite(const Scalar* values, Eigen::Index count) {
  constexpr std::uint64_t exponent = 0x7ff0000000000000, carry = std::uint64_t{1} << 52;
  std::uint64_t not_finite = 0;
  for (Eigen::Index i = 0; i < count; ++i)  // exponent all ones: + carry sets the sign bit
    not_finite |= ((std::bit_cast<std::uint64_t>(values[i]) & exponent) + carry) >> 63;
  return not_finite == 0;
}
inline bool all_finite(const Mat& m) { return all_finite(m.data(), m.size()); }

// Columns [begin, begin + count) of a matrix.
struct Columns {
  Eigen::Index begin = 0, count = 0;
  bool operator==(const Columns&) const = default;
};
inline bool all_finite(const Mat& m, Columns c) {
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    if (!all_finite(m.data() + r * m.cols() + c.begin, c.count)) return false;
  return true;
}

// max |m[i]|, or +∞ when some element is NaN or ±∞ (0 for an empty m).  The bits of |x| order
// as integers do; NaN's bits lie above +∞'s.
inline Scalar max_abs(const Scalar* values, Eigen::Index count) {
  constexpr std::uint64_t magnitude = 0x7fffffffffffffff, infinity = 0x7ff0000000000000;
  std::uint64_t largest = 0;
  for (Eigen::Index i = 0; i < count; ++i)
    largest = std::max(largest, std::bit_cast<std::uint64_t>(values[i]) & magnitude);
  return std::bit_cast<Scalar>(std::min(largest, infinity));
}
inline Scalar max_abs(const Mat& m) { return max_abs(m.data(), m.size()); }

struct Tensor {
  std::string name;  // "encoder.0.self_attn.head2.softmax", "decoder.layers.1.ffn.linear1.weight"
  Mat value;
  Mat grad;  // ∂L/∂value, same shape; meaningful once the trace has_backward();
             // empty for tensors that take no gradient
  Axis rows = Axis::none, cols = Axis::none;
  Role role = Role::other;
  std::int16_t head = -1;     // the attention head it belongs to; −1 outside one
  bool requires_grad = true;  // false for token ids, masks and positional encodings
};

}  // namespace attnviz

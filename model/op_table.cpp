#include "model/op_table.h"

#include "model/flops.h"
#include "model/op_terms.h"
#include "model/translatable.h"

namespace attnviz {

namespace {
using K = FiniteRule;
}  // namespace

constexpr std::array<OpInfo, static_cast<std::size_t>(OpKind::count)> op_table{{
    {OpKind::embedding,
     "embedding",
     N_("Embedding lookup"),
     "E[t] = W_emb[id_t]",
     "∂L/∂W_emb[id_t] += ∂L/∂E[t]",
     N_("Looks up each token's learned vector: row id of the embedding table."),
     N_("Each token's gradient is added to its row of the embedding table; rows of unused words get nothing."),
     {},
     embedding_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::scale,
     "scale",
     N_("Scale"),
     "Y = c·X",
     "∂L/∂X = c · ∂L/∂Y",
     N_("Multiplies every value by one constant: √d_model keeps embeddings as large as the positional encoding; 1/√d_k "
        "keeps scores small enough that softmax does not saturate."),
     N_("A constant factor scales the gradient by the same constant."),
     {.keeps = K::when_c_at_most_1, .backward = K::when_c_at_most_1},
     scale_chain_terms,
     scale_forward_terms,
     no_products},
    {OpKind::add_positional,
     "add_positional",
     N_("Add positional encoding"),
     "X = E + PE",
     "∂L/∂E = ∂L/∂X",
     N_("Adds the sinusoidal position code, so the same word at different positions gives different vectors: attention "
        "alone cannot see order."),
     N_("The gradient passes through unchanged to the embeddings; the positional code is fixed and takes none."),
     {.backward = K::always},
     copy_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::linear,
     "linear",
     N_("Linear layer"),
     "Y = X Wᵀ + b",
     "∂L/∂X = ∂L/∂Y W ;  ∂L/∂W = (∂L/∂Y)ᵀ X ;  ∂L/∂b = Σₜ ∂L/∂Y[t]",
     N_("Multiplies each token's vector by a learned weight matrix and adds a bias: a learned change of features, the "
        "same for every position."),
     N_("The gradient flows to the input through the weights (dY W), and to the weights through the input (dYᵀ X); the "
        "bias collects the sum over tokens."),
     {},
     linear_chain_terms,
     linear_forward_terms,
     product_with_transpose_flops},
    {OpKind::split_head,
     "split_head",
     N_("Split into heads"),
     "Y = X[:, h·d_k : (h+1)·d_k]",
     "∂L/∂Q[:, h·d_k : (h+1)·d_k] = ∂L/∂Q_h",
     N_("Takes this head's slice of the features: each head attends with its own d_k features."),
     N_("This head's gradient goes back into its slice of the features; the other columns get nothing from it."),
     {.keeps = K::always, .backward = K::always},
     split_head_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::concat_heads,
     "concat_heads",
     N_("Concatenate heads"),
     "H = [O₀ | O₁ | … | O_{h−1}]",
     "∂L/∂O_h = ∂L/∂H[:, h·d_k : (h+1)·d_k]",
     N_("Puts the heads' outputs side by side again, back to d_model features."),
     N_("The gradient is cut into the heads' slices again."),
     {.keeps = K::always, .backward = K::always},
     concat_heads_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::scores,
     "scores",
     N_("Attention scores"),
     "S = Q Kᵀ",
     "∂L/∂Q = ∂L/∂S K ;  ∂L/∂K = (∂L/∂S)ᵀ Q",
     N_("Dot product of every query with every key: how well token i's question matches token j's label."),
     N_("The gradient of a score reaches its query through the key and its key through the query."),
     {},
     scores_chain_terms,
     scores_forward_terms,
     product_with_transpose_flops},
    {OpKind::mask,
     "mask",
     N_("Mask"),
     "S'[i,j] = S[i,j] if M[i,j] = 1, −∞ if M[i,j] = 0",
     "∂L/∂S = ∂L/∂S' ⊙ M",
     N_("Sets forbidden scores to −∞ (padding keys, and future tokens in the decoder), so softmax gives them weight "
        "exactly 0."),
     N_("Masked scores did not reach the loss, so they get zero gradient; the others pass through."),
     {K::always, Known::finite, Known::finite_or_masked, K::always},
     mask_chain_terms,
     mask_forward_terms,
     no_products},
    {OpKind::softmax,
     "softmax",
     N_("Softmax"),
     "A[i,j] = exp(S[i,j]) / Σₖ exp(S[i,k])",
     "∂L/∂S[i,j] = A[i,j] (∂L/∂A[i,j] − Σₖ ∂L/∂A[i,k] A[i,k])",
     N_("Turns each row of scores into weights that are positive and sum to 1: how much each query attends to each "
        "key."),
     N_("Raising one weight lowers the others in its row: ∂A/∂S = A(δ − A), summed against the upstream gradient."),
     {K::always, Known::finite_or_masked, Known::weights},
     softmax_chain_terms,
     softmax_forward_terms,
     no_products},
    {OpKind::weighted_sum,
     "weighted_sum",
     N_("Weighted sum of values"),
     "O = A V",
     "∂L/∂A = ∂L/∂O Vᵀ ;  ∂L/∂V = Aᵀ ∂L/∂O",
     N_("Each query's output is the weighted average of the value vectors, with the attention weights."),
     N_("The gradient reaches the weights through the values (dO Vᵀ) and the values through the weights (Aᵀ dO)."),
     {K::always, Known::weights},  // |O[i,:]| ≤ max |V| when A's rows are weights
     weighted_sum_chain_terms,
     weighted_sum_forward_terms,
     weighted_sum_flops},
    {OpKind::add,
     "add",
     N_("Residual add"),
     "Y = x + Sublayer(x)",
     "∂L/∂x = ∂L/∂Y ;  ∂L/∂Sublayer(x) = ∂L/∂Y",
     N_("Residual connection: adds the sublayer's input to its output, so the signal, and the gradient, has a path "
        "around the sublayer."),
     N_("An addition copies its gradient to both inputs: the residual path carries the gradient around the sublayer "
        "unchanged."),
     {.backward = K::always},
     copy_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::layer_norm,
     "layer_norm",
     N_("Layer norm"),
     "Y = γ ⊙ (X − μ) / √(σ² + ε) + β",
     "∂L/∂X = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / σ,  g = γ ⊙ ∂L/∂Y",
     N_("Normalises each token's vector to mean 0 and variance 1 over its features, then scales by γ and shifts by β."),
     N_("Normalisation couples the features of a token: the gradient loses its mean and its component along x̂, then is "
        "scaled by 1/σ."),
     {},
     layer_norm_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::relu,
     "relu",
     N_("ReLU"),
     "Y = max(0, X)",
     "∂L/∂X = ∂L/∂Y ⊙ [X > 0]",
     N_("Keeps positive values and sets negative ones to 0: the non-linearity of the feed-forward network."),
     N_("The gradient passes where the input was positive and stops where it was not."),
     {.keeps = K::always, .backward = K::always},
     relu_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::gelu,
     "gelu",
     N_("GELU"),
     "Y = X · Φ(X),  Φ(x) = ½ (1 + erf(x / √2))",
     "∂L/∂X = ∂L/∂Y ⊙ (Φ(X) + X φ(X)),  φ(x) = exp(−x²/2) / √(2π)",
     N_("Weighs each value by the chance that a standard normal variable lies below it (x·Φ(x)): a smooth ReLU, the "
        "non-linearity of the feed-forward network."),
     N_("The gradient is scaled by GELU's slope Φ(x) + x φ(x): about 1 for large inputs, about 0 for very negative "
        "ones, 1/2 at 0."),
     {K::always},  // |GELU(x)| ≤ |x|
     gelu_chain_terms,
     gelu_forward_terms,
     no_products},
    {OpKind::cross_entropy,
     "cross_entropy",
     N_("Softmax + cross-entropy loss"),
     "L = −(1/N) Σₜ log softmax(Z)[t, yₜ],  N = #{t : yₜ ≠ <pad>}",
     "∂L/∂Z[t] = (softmax(Z)[t] − onehot(yₜ)) / N",
     N_("Softmax over the vocabulary gives each position's predicted distribution; the loss is the mean of "
        "−log(probability of the expected word)."),
     N_("The gradient of the logits is predicted minus expected (p − one-hot), divided by the number of target words."),
     {},
     cross_entropy_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::sum,
     "sum",
     N_("Sum of the outputs (loss)"),
     "L = Σᵢⱼ Y[i,j]",
     "∂L/∂Y[i,j] = ∂L/∂L · 1 = 1",
     N_("Adds every output value into one number, a loss with no target: each value counts once, so the gradient can "
        "be followed back by hand."),
     N_("Every value added into the loss gets gradient 1: raising it by a little raises the loss by as much."),
     {},
     sum_chain_terms,
     sum_forward_terms,
     no_products},
    {OpKind::stack_rows,
     "stack_rows",
     N_("Stack time steps"),
     "H = [h_0; h_1; …; h_{T−1}]",
     "∂L/∂h_t = ∂L/∂H[t]",
     N_("Puts the states of every time step one under the other, a row each: the matrix attention reads, or the "
        "generator turns into words."),
     N_("Each row of the gradient goes back to the time step it came from."),
     {.keeps = K::always, .backward = K::always},
     stack_rows_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::tanh,
     "tanh",
     N_("tanh"),
     "Y = tanh(X)",
     "∂L/∂X = ∂L/∂Y ⊙ (1 − Y²)",
     N_("Squashes each value into (−1, 1): the non-linearity of a plain recurrent cell, h_t = tanh(x_t W_xᵀ + h_{t−1} "
        "W_hᵀ + b)."),
     N_("The gradient is scaled by tanh's slope 1 − Y², at most 1 and near 0 where the cell saturates: through many "
        "time steps these factors multiply, and the gradient fades."),
     {K::always},  // |tanh(x)| < 1
     tanh_chain_terms,
     elementwise_forward_terms,
     no_products},
    {OpKind::gru_cell,
     "gru_cell",
     N_("GRU cell"),
     "r = σ(x W_rᵀ + h U_rᵀ + b_r),  z = σ(x W_zᵀ + h U_zᵀ + b_z),  n = tanh(x W_nᵀ + r ⊙ (h U_nᵀ + b_hn) + b_n),  h' "
     "= (1 − z) ⊙ n + z ⊙ h",
     "∂L/∂h = (∂L/∂h' ⊙ a) W_h + ∂L/∂h' ⊙ z ;  ∂L/∂x = (∂L/∂h' ⊙ a) W_x ;  a_g = ∂h'/∂(x W_gᵀ + h U_gᵀ + b_g),  g ∈ "
     "{r, z, n}",
     N_("One time step of a gated recurrent unit: the reset gate r chooses how much of the old state proposes the new "
        "one n, the update gate z how much of the old state h is kept as it is."),
     N_("The gradient reaches the previous state through the gates' slopes and, directly, through z: where z is near 1 "
        "the old state, and its gradient, pass almost unchanged; where it is near 0 each step multiplies the gradient "
        "by small slopes."),
     {},
     gru_cell_chain_terms,
     gru_cell_forward_terms,
     gru_cell_flops},
    {OpKind::additive_scores,
     "additive_scores",
     N_("Additive attention scores"),
     "e[i,j] = vᵀ tanh(W_s s_i + k_j),  k_j = W_h h_j + b",
     "∂L/∂s_i = Σⱼ ∂L/∂e[i,j] (v ⊙ (1 − t²)) W_s ;  ∂L/∂k_j = Σᵢ ∂L/∂e[i,j] v ⊙ (1 − t²) ;  t = tanh(W_s s_i + k_j)",
     N_("Bahdanau's energy e_ij = a(s_{i−1}, h_j): a one-layer network scores how well the decoder state s fits each "
        "encoder state h_j (its key k_j = W_h h_j + b, computed once); softmax over j turns the scores into alignment "
        "weights α_ij."),
     N_("Each score's gradient flows through tanh's slope and the vector v into the decoder state (by W_s) and into "
        "every encoder state's key: a direct path from the output back to each source word."),
     {},
     additive_scores_chain_terms,
     additive_scores_forward_terms,
     additive_scores_flops},
}};

namespace {
// Row i describes OpKind i: a row missing or out of order stops the build here.
constexpr bool rows_in_order() {
  for (std::size_t i = 0; i < op_table.size(); ++i)
    if (static_cast<std::size_t>(op_table[i].op) != i) return false;
  return true;
}
static_assert(rows_in_order(), "op_table.cpp: one row per OpKind, in the enum's order");
}  // namespace

const char* to_string(OpKind op) { return op_info(op).name; }

const char* to_string(Phase phase) { return phase == Phase::forward ? "forward" : "backward"; }

std::string_view describe(OpKind op, Phase phase) {
  const OpInfo& info = op_info(op);
  return phase == Phase::forward ? info.forward_sentence : info.backward_sentence;
}

}  // namespace attnviz

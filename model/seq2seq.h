#pragma once
// The recurrent encoder–decoders that came before the Transformer, recorded into the same Trace,
// one time step after another (Config::architecture seq2seq or bahdanau).
//
// Encoder, over the source's tokens up to the first padding, h_{−1} = 0:
//   h_t = cell(emb_src(x_t), h_{t−1}),  H = [h_0; …; h_{T−1}]
// Decoder, teacher-forced on tgt_in, s_{−1} = h_{T−1} (the one context vector):
//   seq2seq:   s_i = cell(emb_tgt(y_i), s_{i−1})
//   bahdanau:  e_ij = vᵀ tanh(W_s s_{i−1} + k_j),  k_j = W_h h_j + b (once),
//              α_i = softmax_j(e_i),  c_i = Σ_j α_ij h_j,
//              s_i = cell([emb_tgt(y_i) | c_i], s_{i−1})
// Output: logits = S W_genᵀ + b (S = [s_0; …]), L = cross-entropy, as the Transformer's.
// cell = GRU (ops::gru_cell) or tanh(x W_xᵀ + b_x + h W_hᵀ + b_h).
//
// Backward is run_backward's, step by step: backpropagation through time is the reverse walk
// over the unrolled steps, ∂L/∂h_{t−1} reaching each cell from the next one.

#include "model/parameters.h"

namespace attnviz {

struct Config;
struct Example;
class Trace;
class Transformer;

// Parameter indices of one recurrent cell (PyTorch's nn.GRU / nn.RNN names, one layer).
struct CellParams {
  int w_ih = -1, w_hh = -1, b_ih = -1, b_hh = -1;
};
struct RecurrentParams {
  CellParams encoder, decoder;
  int query = -1, key = -1, key_bias = -1, v = -1;  // additive attention's W_s (a,d), W_h (a,d), b (1,a),
                                                    // v (1,a); bahdanau only
};

// Adds the parameters after the embeddings; the generator is added by the caller.
RecurrentParams add_recurrent_params(Parameters& params, const Config& config);

// Records the forward pass of a recurrent model (the trace is reset by the caller).
Scalar run_recurrent_forward(Transformer& model, const Example& example, Trace& trace);

// Names of the tensors the views of the "Why attention?" lesson read.
namespace recurrent_names {
inline constexpr const char* encoder_states = "encoder.rnn.states";  // H (T_src, d)
inline constexpr const char* decoder_states = "decoder.rnn.states";  // S (T_tgt, d)
}  // namespace recurrent_names

}  // namespace attnviz

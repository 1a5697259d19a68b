#include "model/seq2seq.h"

#include "model/recorder.h"
#include "model/transformer.h"

#include <string>
#include <vector>

namespace attnviz {

namespace {

// A cell's weights, in PyTorch's layout: W_ih (g·d, in), W_hh (g·d, d), biases (1, g·d); g = 3
// gates for a GRU (r, z, n), 1 for the tanh cell.
CellParams add_cell(Parameters& p, const std::string& prefix, int in, int d, int gates) {
  return {p.add(prefix + ".weight_ih", Role::weight, gates * d, in, Axis::features, Axis::features),
          p.add(prefix + ".weight_hh", Role::weight, gates * d, d, Axis::features, Axis::features),
          p.add(prefix + ".bias_ih", Role::bias, 1, gates * d, Axis::none, Axis::features),
          p.add(prefix + ".bias_hh", Role::bias, 1, gates * d, Axis::none, Axis::features)};
}

// The source's tokens before its first padding (at least one): an encoder that read padding
// would hand the decoder a state that depends on the mini-batch it was padded in.
int real_length(const std::vector<int>& ids, int pad_id) {
  int n = 0;
  while (n < static_cast<int>(ids.size()) && ids[static_cast<std::size_t>(n)] != pad_id) ++n;
  return n > 0 ? n : 1;
}

class RecurrentForward {
 public:
  RecurrentForward(Transformer& model, Trace& trace)
      : m_(model), c_(model.config()), p_(model.recurrent()), t_(trace), r_(trace) {}

  Scalar run(const Example& ex) {
    using P = Recorder;
    const int d = c_.d_model;
    const bool attention = c_.architecture == Architecture::bahdanau;
    r_.enter(Stack::none, -1, Sublayer::none);
    const auto ids = [&](std::string_view name, Role role, const std::vector<int>& v, Axis axis) {
      return r_.constant(name, role, static_cast<int>(v.size()), 1, axis, Axis::none, [&](Mat& m) {
        for (std::size_t t = 0; t < v.size(); ++t) m(static_cast<Eigen::Index>(t), 0) = v[t];
      });
    };
    ids(names::src_tokens, Role::token_ids, ex.src, Axis::src_tokens);
    ids(names::tgt_in_tokens, Role::token_ids, ex.tgt_in, Axis::tgt_tokens);
    TensorId targets = ids(names::tgt_out_tokens, Role::target_ids, ex.tgt_out, Axis::tgt_tokens);

    // Encoder: h_t = cell(emb(x_t), h_{t−1}), one step per source token.
    r_.enter(Stack::encoder, -1, Sublayer::recurrent);
    TensorId h = r_.input("encoder.h0", Mat::Zero(1, d), Axis::none, Axis::features);
    std::vector<TensorId> encoder_states;
    for (int t = 0; t < real_length(ex.src, ex.pad_id); ++t) {
      r_.enter(Stack::encoder, t, Sublayer::recurrent);
      TensorId x = r_.embedding("lookup", token(ex.src[static_cast<std::size_t>(t)]), P::param(m_.src_embed()));
      h = cell(p_.encoder, x, h);
      encoder_states.push_back(h);
    }
    TensorId H, K;  // (T_src, d) and (T_src, a): what attention reads, and its keys W_h h_j + b
    if (attention) {
      r_.enter(Stack::encoder, -1, Sublayer::recurrent);
      H = r_.stack_rows("states", encoder_states, Axis::src_tokens, Role::recurrent_state);
      r_.enter(Stack::decoder, -1, Sublayer::additive_attn);
      K = r_.linear("keys", H, P::param(p_.key), P::param(p_.key_bias), Role::key);
    }

    // Decoder: from the encoder's last state, one step per target token (teacher forcing).
    TensorId s = h;
    std::vector<TensorId> decoder_states;
    for (int i = 0; i < static_cast<int>(ex.tgt_in.size()); ++i) {
      TensorId context;
      if (attention) {  // e_ij = a(s_{i−1}, h_j), α_i = softmax(e_i), c_i = α_i H
        r_.enter(Stack::decoder, i, Sublayer::additive_attn);
        TensorId e = r_.additive_scores("scores", s, K, P::param(p_.query), P::param(p_.v));
        TensorId alpha = r_.softmax("softmax", e);
        context = r_.weighted_sum("context", alpha, H, Role::context, "c_i = Σⱼ α_ij h_j");
      }
      r_.enter(Stack::decoder, i, Sublayer::recurrent);
      TensorId y = r_.embedding("lookup", token(ex.tgt_in[static_cast<std::size_t>(i)]), P::param(m_.tgt_embed()));
      if (attention) y = r_.concat_heads("input", {y, context}, Role::cell_input, "x_i = [emb(y_i) | c_i]");
      s = cell(p_.decoder, y, s);
      decoder_states.push_back(s);
    }
    r_.enter(Stack::decoder, -1, Sublayer::recurrent);
    TensorId S = r_.stack_rows("states", decoder_states, Axis::tgt_tokens, Role::recurrent_state);

    r_.enter(Stack::output, -1, Sublayer::generator);
    TensorId logits = r_.linear("generator", S, P::param(m_.generator_weight()), P::param(m_.generator_bias()),
                                Role::logits, Axis::tgt_vocab);
    r_.enter(Stack::output, -1, Sublayer::loss);
    t_.set_loss(r_.cross_entropy("loss", logits, targets, ex.pad_id, names::probs));
    t_.end_forward();
    return t_.loss();
  }

 private:
  // The token id of this time step, (1,1): "encoder.3.rnn.token".
  TensorId token(int id) {
    return r_.constant(r_.scope() + ".token", Role::token_ids, Mat::Constant(1, 1, id), Axis::none, Axis::none);
  }

  TensorId cell(const CellParams& p, TensorId x, TensorId h) {
    using P = Recorder;
    if (c_.cell == RecurrentCell::gru)
      return r_.gru_cell("gru", x, h, P::param(p.w_ih), P::param(p.w_hh), P::param(p.b_ih), P::param(p.b_hh));
    TensorId from_x = r_.linear("input", x, P::param(p.w_ih), P::param(p.b_ih), Role::recurrent_input);
    TensorId from_h = r_.linear("recurrent", h, P::param(p.w_hh), P::param(p.b_hh), Role::recurrent_input);
    return r_.tanh("tanh", r_.add("sum", from_x, from_h, Role::recurrent_input), Role::recurrent_state);
  }

  Transformer& m_;
  const Config& c_;
  const RecurrentParams& p_;
  Trace& t_;
  Recorder r_;
};

}  // namespace

RecurrentParams add_recurrent_params(Parameters& params, const Config& config) {
  const int d = config.d_model, gates = config.cell == RecurrentCell::gru ? 3 : 1;
  const bool attention = config.architecture == Architecture::bahdanau;
  RecurrentParams r;
  r.encoder = add_cell(params, "encoder.rnn", d, d, gates);
  r.decoder = add_cell(params, "decoder.rnn", attention ? 2 * d : d, d, gates);
  if (attention) {
    r.query = params.add("decoder.attention.query.weight", Role::weight, d, d, Axis::features, Axis::features);
    r.key = params.add("decoder.attention.key.weight", Role::weight, d, d, Axis::features, Axis::features);
    r.key_bias = params.add("decoder.attention.key.bias", Role::bias, 1, d, Axis::none, Axis::features);
    r.v = params.add("decoder.attention.v", Role::weight, 1, d, Axis::none, Axis::features);
  }
  return r;
}

Scalar run_recurrent_forward(Transformer& model, const Example& example, Trace& trace) {
  return RecurrentForward(model, trace).run(example);
}

}  // namespace attnviz

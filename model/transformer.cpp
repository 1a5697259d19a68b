#include "model/transformer.h"

#include "model/error.h"
#include "model/ops.h"
#include "model/recorder.h"

#include <cmath>
#include <string>

namespace attnviz {

namespace {

AttentionParams add_attention(Parameters& p, const std::string& prefix, int d) {
  AttentionParams a{};
  a.q_w = p.add(prefix + ".q_proj.weight", Role::weight, d, d, Axis::features, Axis::features);
  a.q_b = p.add(prefix + ".q_proj.bias", Role::bias, 1, d, Axis::none, Axis::features);
  a.k_w = p.add(prefix + ".k_proj.weight", Role::weight, d, d, Axis::features, Axis::features);
  a.k_b = p.add(prefix + ".k_proj.bias", Role::bias, 1, d, Axis::none, Axis::features);
  a.v_w = p.add(prefix + ".v_proj.weight", Role::weight, d, d, Axis::features, Axis::features);
  a.v_b = p.add(prefix + ".v_proj.bias", Role::bias, 1, d, Axis::none, Axis::features);
  a.o_w = p.add(prefix + ".o_proj.weight", Role::weight, d, d, Axis::features, Axis::features);
  a.o_b = p.add(prefix + ".o_proj.bias", Role::bias, 1, d, Axis::none, Axis::features);
  return a;
}

NormParams add_norm(Parameters& p, const std::string& prefix, int d) {
  return {p.add(prefix + ".weight", Role::norm_gain, 1, d, Axis::none, Axis::features),
          p.add(prefix + ".bias", Role::norm_shift, 1, d, Axis::none, Axis::features)};
}

FeedForwardParams add_ffn(Parameters& p, const std::string& prefix, int d, int d_ff) {
  return {p.add(prefix + ".linear1.weight", Role::weight, d_ff, d, Axis::features, Axis::features),
          p.add(prefix + ".linear1.bias", Role::bias, 1, d_ff, Axis::none, Axis::features),
          p.add(prefix + ".linear2.weight", Role::weight, d, d_ff, Axis::features, Axis::features),
          p.add(prefix + ".linear2.bias", Role::bias, 1, d, Axis::none, Axis::features)};
}

}  // namespace

Transformer::Transformer(const Config& config, std::uint64_t seed) : config_(config) {
  validate(config_);
  const int d = config_.d_model;
  src_embed_ =
      params_.add("src_embed.weight", Role::embedding_table, config_.src_vocab, d, Axis::src_vocab, Axis::features);
  tgt_embed_ =
      params_.add("tgt_embed.weight", Role::embedding_table, config_.tgt_vocab, d, Axis::tgt_vocab, Axis::features);
  if (config_.recurrent()) recurrent_ = add_recurrent_params(params_, config_);
  for (int i = 0; i < (config_.recurrent() ? 0 : config_.encoder_layers); ++i) {
    const std::string l = "encoder.layers." + std::to_string(i);
    EncoderLayerParams layer{};
    layer.self_attn = add_attention(params_, l + ".self_attn", d);
    layer.norm1 = add_norm(params_, l + ".norm1", d);
    layer.ffn = add_ffn(params_, l + ".ffn", d, config_.d_ff);
    layer.norm2 = add_norm(params_, l + ".norm2", d);
    encoder_.push_back(layer);
  }
  if (config_.has_final_norm() && !config_.recurrent()) encoder_norm_ = add_norm(params_, "encoder.norm", d);
  for (int i = 0; i < (config_.recurrent() ? 0 : config_.decoder_layers); ++i) {
    const std::string l = "decoder.layers." + std::to_string(i);
    DecoderLayerParams layer{};
    layer.self_attn = add_attention(params_, l + ".self_attn", d);
    layer.norm1 = add_norm(params_, l + ".norm1", d);
    layer.cross_attn = add_attention(params_, l + ".cross_attn", d);
    layer.norm2 = add_norm(params_, l + ".norm2", d);
    layer.ffn = add_ffn(params_, l + ".ffn", d, config_.d_ff);
    layer.norm3 = add_norm(params_, l + ".norm3", d);
    decoder_.push_back(layer);
  }
  if (config_.has_final_norm() && !config_.recurrent()) decoder_norm_ = add_norm(params_, "decoder.norm", d);
  generator_w_ = params_.add("generator.weight", Role::weight, config_.tgt_vocab, d, Axis::tgt_vocab, Axis::features);
  generator_b_ = params_.add("generator.bias", Role::bias, 1, config_.tgt_vocab, Axis::none, Axis::tgt_vocab);
  params_.initialise(seed);
  ops::positional_encoding(positional_, config_.positional, config_.max_len, d);
}

void validate(const Config& config, const Example& ex) {
  auto check = [&](const std::vector<int>& ids, const char* field, int vocab) {
    if (ids.empty()) throw InputError(std::string(field) + ": the sequence is empty");
    if (static_cast<int>(ids.size()) > config.max_len)
      throw InputError(std::string(field) + ": " + std::to_string(ids.size()) +
                       " tokens is longer than max_len = " + std::to_string(config.max_len));
    for (std::size_t t = 0; t < ids.size(); ++t)
      if (ids[t] < 0 || ids[t] >= vocab)
        throw InputError(std::string(field) + "[" + std::to_string(t) + "] = " + std::to_string(ids[t]) +
                         ": token id out of range [0, " + std::to_string(vocab) + ")");
  };
  check(ex.src, "src", config.src_vocab);
  check(ex.tgt_in, "tgt_in", config.tgt_vocab);
  check(ex.tgt_out, "tgt_out", config.tgt_vocab);
  if (ex.tgt_in.size() != ex.tgt_out.size())
    throw InputError("tgt_out: " + std::to_string(ex.tgt_out.size()) + " tokens, but tgt_in has " +
                     std::to_string(ex.tgt_in.size()));
}

namespace {

// m = ids as a column (T, 1)
void column_of(Mat& m, const std::vector<int>& ids) {
  for (std::size_t t = 0; t < ids.size(); ++t) m(static_cast<Eigen::Index>(t), 0) = ids[t];
}

// M[i,j] = 1 where query i may attend to key j: key j is not padding (and j ≤ i if causal);
// M:(T_q, T_k), T_k = keys.size().
void attention_mask(Mat& M, const std::vector<int>& keys, int pad_id, bool causal) {
  for (Eigen::Index i = 0; i < M.rows(); ++i)
    for (Eigen::Index j = 0; j < M.cols(); ++j)
      M(i, j) = (keys[static_cast<std::size_t>(j)] != pad_id && (!causal || j <= i)) ? 1 : 0;
}

// M[i,j] = 1 where j ≤ i
void look_ahead_mask(Mat& M) {
  for (Eigen::Index i = 0; i < M.rows(); ++i)
    for (Eigen::Index j = 0; j < M.cols(); ++j) M(i, j) = j <= i ? 1 : 0;
}

class Forward {
 public:
  Forward(Transformer& model, Trace& trace) : m_(model), c_(model.config()), t_(trace), r_(trace) {
    heads_.reserve(static_cast<std::size_t>(c_.heads));
  }

  // PE:(T,d_model), the positions of a stack's T tokens, given with the tokens (none without
  // positional encoding).
  TensorId positions(Stack stack, int T, Axis tokens) {
    if (c_.positional == Positional::none) return {};
    r_.enter(stack, -1, Sublayer::embed);
    return r_.constant(r_.scope() + ".pe", Role::positional, m_.positional_table().topRows(T), tokens, Axis::features);
  }

  // X = E·√d_model + PE       ids:(T,1) → X:(T,d_model)
  TensorId embed(Stack stack, TensorId ids, int table, TensorId PE) {
    r_.enter(stack, -1, Sublayer::embed);
    TensorId x = r_.embedding("lookup", ids, Recorder::param(table));
    if (c_.scale_embedding)
      x = r_.scale("scale", x, std::sqrt(static_cast<Scalar>(c_.d_model)), Role::scaled_embedding, "X = E · √d_model");
    if (PE.valid()) x = r_.add_positional("add_pe", x, PE);
    return x;
  }

  // MultiHead(x_q, x_kv) = concat(head₀ … head_{h−1}) W_Oᵀ + b_O,
  // head_h = softmax(mask(Q_h K_hᵀ / √d_k)) V_h
  TensorId attention(const AttentionParams& p, TensorId x_q, TensorId x_kv, TensorId mask) {
    using P = Recorder;
    TensorId q = r_.linear("q_proj", x_q, P::param(p.q_w), P::param(p.q_b), Role::query);   // (T_q, d)
    TensorId k = r_.linear("k_proj", x_kv, P::param(p.k_w), P::param(p.k_b), Role::key);    // (T_k, d)
    TensorId v = r_.linear("v_proj", x_kv, P::param(p.v_w), P::param(p.v_b), Role::value);  // (T_k, d)
    const int d_k = c_.d_k();
    heads_.clear();
    r_.begin_heads(heads_side_by_side(t_.value(q).rows(), t_.value(k).rows(), c_.d_model));
    for (int h = 0; h < c_.heads; ++h) {
      r_.enter_head(h);
      // Q_h (T_q, d_k), K_h (T_k, d_k), V_h (T_k, d_k)
      TensorId qh = r_.split_head("q", q, d_k, Role::query_head, "Q_h = Q[:, h·d_k : (h+1)·d_k]");
      TensorId kh = r_.split_head("k", k, d_k, Role::key_head, "K_h = K[:, h·d_k : (h+1)·d_k]");
      TensorId vh = r_.split_head("v", v, d_k, Role::value_head, "V_h = V[:, h·d_k : (h+1)·d_k]");
      TensorId s = r_.scores("scores", qh, kh);  // (T_q, T_k)
      if (c_.scale_attention)
        s = r_.scale("scale", s, 1.0 / std::sqrt(static_cast<Scalar>(d_k)), Role::scaled_scores, "S' = S / √d_k");
      s = r_.mask("mask", s, mask);
      TensorId a = r_.softmax("softmax", s);                     // (T_q, T_k)
      heads_.push_back(r_.weighted_sum("weighted_sum", a, vh));  // (T_q, d_k)
    }
    r_.end_heads();  // the heads computed side by side
    r_.leave_head();
    TensorId concat = r_.concat_heads("concat", heads_);  // (T_q, d)
    return r_.linear("o_proj", concat, P::param(p.o_w), P::param(p.o_b), Role::attention_output);
  }

  // FFN(x) = f(x W₁ᵀ + b₁) W₂ᵀ + b₂, f = ReLU or GELU      (T,d) → (T,d_ff) → (T,d)
  TensorId feed_forward(const FeedForwardParams& p, TensorId x) {
    using P = Recorder;
    TensorId h = r_.linear("linear1", x, P::param(p.w1), P::param(p.b1), Role::ffn_hidden);
    h = c_.activation == FfnActivation::gelu ? r_.gelu("gelu", h) : r_.relu("relu", h);
    return r_.linear("linear2", h, P::param(p.w2), P::param(p.b2), Role::ffn_output);
  }

  // post: x = LN(x + F(x))     pre: x = x + F(LN(x))      (residual off drops the `x +`)
  template <class Sub>
  TensorId sublayer(Stack stack, int layer, Sublayer block, Sublayer norm_block, const NormParams& norm, TensorId x,
                    Sub&& f) {
    const auto ln = [&](TensorId in) {
      r_.enter(stack, layer, norm_block);
      return r_.layer_norm("layer_norm", in, Recorder::param(norm.weight), Recorder::param(norm.bias), c_.ln_eps);
    };
    if (c_.norm == NormPlacement::pre) {
      TensorId normed = ln(x);
      r_.enter(stack, layer, block);
      TensorId y = f(normed);
      if (!c_.residual) return y;
      r_.enter(stack, layer, norm_block);
      return r_.add("residual", x, y);
    }
    r_.enter(stack, layer, block);
    TensorId y = f(x);
    r_.enter(stack, layer, norm_block);
    if (c_.residual) y = r_.add("residual", x, y);
    return ln(y);
  }

  TensorId final_norm(Stack stack, const std::optional<NormParams>& norm, TensorId x) {
    if (!norm) return x;
    r_.enter(stack, -1, Sublayer::final_norm);
    return r_.layer_norm("layer_norm", x, Recorder::param(norm->weight), Recorder::param(norm->bias), c_.ln_eps);
  }

  Scalar run(const Example& ex) {
    const Axis src = Axis::src_tokens, tgt = Axis::tgt_tokens;
    const int T_src = static_cast<int>(ex.src.size()), T_tgt = static_cast<int>(ex.tgt_in.size());

    r_.enter(Stack::none, -1, Sublayer::none);
    const auto ids = [&](std::string_view name, Role role, const std::vector<int>& v, Axis axis) {
      return r_.constant(name, role, static_cast<int>(v.size()), 1, axis, Axis::none, [&](Mat& m) { column_of(m, v); });
    };
    const auto mask = [&](std::string_view name, int T_q, const std::vector<int>& keys, Axis q_axis, Axis k_axis,
                          bool causal) {
      return r_.constant(name, Role::mask, T_q, static_cast<int>(keys.size()), q_axis, k_axis,
                         [&](Mat& m) { attention_mask(m, keys, ex.pad_id, causal); });
    };
    TensorId src_ids = ids(names::src_tokens, Role::token_ids, ex.src, src);
    TensorId tgt_ids = ids(names::tgt_in_tokens, Role::token_ids, ex.tgt_in, tgt);
    TensorId targets = ids(names::tgt_out_tokens, Role::target_ids, ex.tgt_out, tgt);
    TensorId enc_mask = mask(names::src_padding_mask, T_src, ex.src, src, src, false);
    mask(names::tgt_padding_mask, T_tgt, ex.tgt_in, tgt, tgt, false);
    r_.constant(names::look_ahead_mask, Role::mask, T_tgt, T_tgt, tgt, tgt, look_ahead_mask);
    TensorId dec_mask = mask(names::decoder_self_mask, T_tgt, ex.tgt_in, tgt, tgt, true);
    TensorId cross_mask = mask(names::cross_mask, T_tgt, ex.src, tgt, src, false);
    const TensorId src_pe = positions(Stack::encoder, T_src, src), tgt_pe = positions(Stack::decoder, T_tgt, tgt);
    if (t_.replaying()) {  // the same steps over these givens
      r_.replay();
      t_.end_forward();
      return t_.loss();
    }

    // Encoder: N × (self-attention, Add & Norm, feed-forward, Add & Norm)
    TensorId x = embed(Stack::encoder, src_ids, m_.src_embed(), src_pe);
    for (int l = 0; l < c_.encoder_layers; ++l) {
      const EncoderLayerParams& p = m_.encoder_layers()[static_cast<std::size_t>(l)];
      x = sublayer(Stack::encoder, l, Sublayer::self_attn, Sublayer::norm1, p.norm1, x,
                   [&](TensorId in) { return attention(p.self_attn, in, in, enc_mask); });
      x = sublayer(Stack::encoder, l, Sublayer::ffn, Sublayer::norm2, p.norm2, x,
                   [&](TensorId in) { return feed_forward(p.ffn, in); });
    }
    const TensorId memory = final_norm(Stack::encoder, m_.encoder_norm(), x);

    // Decoder: N × (masked self-attention, Add & Norm, cross-attention, Add & Norm, FFN, Add & Norm)
    TensorId y = embed(Stack::decoder, tgt_ids, m_.tgt_embed(), tgt_pe);
    for (int l = 0; l < c_.decoder_layers; ++l) {
      const DecoderLayerParams& p = m_.decoder_layers()[static_cast<std::size_t>(l)];
      y = sublayer(Stack::decoder, l, Sublayer::self_attn, Sublayer::norm1, p.norm1, y,
                   [&](TensorId in) { return attention(p.self_attn, in, in, dec_mask); });
      y = sublayer(Stack::decoder, l, Sublayer::cross_attn, Sublayer::norm2, p.norm2, y,
                   [&](TensorId in) { return attention(p.cross_attn, in, memory, cross_mask); });
      y = sublayer(Stack::decoder, l, Sublayer::ffn, Sublayer::norm3, p.norm3, y,
                   [&](TensorId in) { return feed_forward(p.ffn, in); });
    }
    y = final_norm(Stack::decoder, m_.decoder_norm(), y);

    // Output: logits = y W_genᵀ + b, L = cross-entropy(softmax(logits), targets)
    r_.enter(Stack::output, -1, Sublayer::generator);
    TensorId logits = r_.linear("generator", y, Recorder::param(m_.generator_weight()),
                                Recorder::param(m_.generator_bias()), Role::logits, Axis::tgt_vocab);
    r_.enter(Stack::output, -1, Sublayer::loss);
    TensorId loss = r_.cross_entropy("loss", logits, targets, ex.pad_id, names::probs);
    t_.set_loss(loss);
    t_.end_forward();
    return t_.loss();
  }

 private:
  Transformer& m_;
  const Config& c_;
  Trace& t_;
  Recorder r_;
  std::vector<TensorId> heads_;  // of the attention being recorded
};

}  // namespace

TensorId encoder_output(const Trace& trace) {
  for (int i = trace.forward_count() - 1; i >= 0; --i)
    if (trace.step(i).where.stack == Stack::encoder) return trace.step(i).outputs.front();
  return {};
}

Scalar run_forward(Transformer& model, const Example& example, Trace& trace) {
  validate(model.config(), example);
  if (model.config().recurrent()) {
    // No replay: the number of steps follows the sentences' lengths, not the config alone.
    trace.reset(&model.params());
    return run_recurrent_forward(model, example, trace);
  }
  trace.reset(&model.params(), &model.config());
  return Forward(model, trace).run(example);
}

}  // namespace attnviz

#include "model/explain.h"

#include "model/ops.h"
#include "model/translatable.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

namespace attnviz {

namespace {

// The pieces one after another, appended: written so rather than as "W" + std::string, where
// GCC 12 warns, wrongly, of an overlapping copy (-Wrestrict).
template <class... Pieces>
std::string cat(const Pieces&... pieces) {
  std::string text;
  (text.append(std::string_view(pieces)), ...);
  return text;
}

std::string at(int r, int c) { return cat("[", std::to_string(r), ",", std::to_string(c), "]"); }

class Explainer {
 public:
  Explainer(const Trace& t, const Step& b, int input, int r, int c)
      : t_(t), b_(b), in_(static_cast<std::size_t>(input)), r_(r), c_(c) {}

  Explanation run() {
    Explanation e;
    e.target = cat("∂L/∂", short_name(b_.inputs[in_]), at(r_, c_));
    e.rule = std::string(b_.formula);
    terms(e);
    for (const Term& term : e.terms) e.sum += term.product();
    e.stored = t_.share(b_, in_)(r_, c_);
    return e;
  }

 private:
  static std::string short_name(TensorId id) { return id.kind == TensorId::parameter ? "W" : "X"; }
  const Mat& x(std::size_t i) const { return t_.value(b_.inputs[i]); }
  const Mat& y(std::size_t o = 0) const { return t_.value(b_.outputs[o]); }
  const Mat& dy() const { return t_.grad(b_.outputs[0]); }

  void add(Explanation& e, int ur, int uc, Scalar local, std::string text,
           std::optional<Element> local_at = std::nullopt, std::size_t output = 0) {
    const Mat& up = t_.grad(b_.outputs[output]);
    e.terms.push_back({up(ur, uc), local, {b_.outputs[output], ur, uc}, local_at, std::move(text), {}});
  }
  Element in(std::size_t i, int r, int c) const { return {b_.inputs[i], r, c}; }

  void terms(Explanation& e) {
    const int r = r_, c = c_;
    switch (b_.op) {
      case OpKind::embedding:  // dW[r,c] = Σ_{t: id_t = r} dE[t,c] · 1
        for (int t = 0; t < x(0).rows(); ++t)
          if (static_cast<int>(x(0)(t, 0)) == r) {
            add(e, t, c, 1, N_("1 (token %s has id %s)"));
            e.terms.back().local_words = {std::to_string(t), std::to_string(r)};
          }
        break;
      case OpKind::scale: add(e, r, c, b_.args.c, "c"); break;
      case OpKind::add_positional:
      case OpKind::add: add(e, r, c, 1, "1"); break;
      case OpKind::linear:
        if (in_ == 0) {  // dX[r,c] = Σₖ dY[r,k] · W[k,c]
          for (int k = 0; k < x(1).rows(); ++k) add(e, r, k, x(1)(k, c), cat("W", at(k, c)), in(1, k, c));
        } else if (in_ == 1) {  // dW[r,c] = Σₜ dY[t,r] · X[t,c]
          for (int t = 0; t < x(0).rows(); ++t) add(e, t, r, x(0)(t, c), cat("X", at(t, c)), in(0, t, c));
        } else {  // db[c] = Σₜ dY[t,c] · 1
          for (int t = 0; t < dy().rows(); ++t) add(e, t, c, 1, "1");
        }
        break;
      case OpKind::split_head: {
        const int d_k = b_.args.d_k, lo = b_.where.head * d_k;
        if (c >= lo && c < lo + d_k) add(e, r, c - lo, 1, "1");
        break;
      }
      case OpKind::concat_heads: add(e, r, static_cast<int>(in_) * b_.args.d_k + c, 1, "1"); break;
      case OpKind::scores:
        if (in_ == 0) {  // dQ[r,c] = Σⱼ dS[r,j] · K[j,c]
          for (int j = 0; j < x(1).rows(); ++j) add(e, r, j, x(1)(j, c), cat("K", at(j, c)), in(1, j, c));
        } else {  // dK[r,c] = Σᵢ dS[i,r] · Q[i,c]
          for (int i = 0; i < x(0).rows(); ++i) add(e, i, r, x(0)(i, c), cat("Q", at(i, c)), in(0, i, c));
        }
        break;
      case OpKind::mask: add(e, r, c, x(1)(r, c), x(1)(r, c) != 0 ? N_("M = 1 (kept)") : N_("M = 0 (masked)"), in(1, r, c)); break;
      case OpKind::softmax: {  // dS[r,c] = Σₖ dA[r,k] · A[r,k](δₖc − A[r,c])
        const Mat& A = y();
        for (int k = 0; k < A.cols(); ++k)
          add(e, r, k, A(r, k) * ((k == c ? 1.0 : 0.0) - A(r, c)),
              k == c ? cat("A", at(r, k), "(1 − A", at(r, c), ")") : cat("−A", at(r, k), "·A", at(r, c)));
        break;
      }
      case OpKind::weighted_sum:
        if (in_ == 0) {  // dA[r,c] = Σₖ dO[r,k] · V[c,k]
          for (int k = 0; k < x(1).cols(); ++k) add(e, r, k, x(1)(c, k), cat("V", at(c, k)), in(1, c, k));
        } else {  // dV[r,c] = Σᵢ dO[i,c] · A[i,r]
          for (int i = 0; i < x(0).rows(); ++i) add(e, i, c, x(0)(i, r), cat("A", at(i, r)), in(0, i, r));
        }
        break;
      case OpKind::layer_norm: {
        // μ and 1/σ of every row, as the forward step computed them
        const Mat& stats = t_.step(b_.twin).saved;
        const auto xhat = [&](int t, int k) { return (x(0)(t, k) - stats(t, 0)) * stats(t, 1); };
        const Scalar D = static_cast<Scalar>(x(0).cols());
        if (in_ == 0) {  // dX[r,c] = Σₖ dY[r,k] · γₖ (δₖc − 1/D − x̂ₖ x̂_c / D) / σ
          for (int k = 0; k < x(0).cols(); ++k) {
            const Scalar local = x(1)(0, k) * ((k == c ? 1.0 : 0.0) - 1.0 / D - xhat(r, k) * xhat(r, c) / D) * stats(r, 1);
            add(e, r, k, local, cat("γ", at(0, k), "(δ − 1/D − x̂ₖx̂_c/D)/σ"));
          }
        } else if (in_ == 1) {  // dγ[c] = Σₜ dY[t,c] · x̂[t,c]
          for (int t = 0; t < x(0).rows(); ++t) add(e, t, c, xhat(t, c), cat("x̂", at(t, c)));
        } else {  // dβ[c] = Σₜ dY[t,c] · 1
          for (int t = 0; t < x(0).rows(); ++t) add(e, t, c, 1, "1");
        }
        break;
      }
      case OpKind::sum: add(e, 0, 0, 1, "1"); break;  // dY[r,c] = dL · 1
      case OpKind::relu: add(e, r, c, x(0)(r, c) > 0 ? 1.0 : 0.0, x(0)(r, c) > 0 ? N_("1 (X > 0)") : N_("0 (X ≤ 0)"), in(0, r, c)); break;
      case OpKind::gelu: add(e, r, c, ops::gelu_derivative(x(0)(r, c)), "Φ(X" + at(r, c) + ") + X" + at(r, c) + " φ(X" + at(r, c) + ")", in(0, r, c)); break;
      case OpKind::cross_entropy: {  // dZ[r,c] = dL · (P[r,c] − [c = y_r]) / N
        const int pad = b_.args.pad_id, y_r = static_cast<int>(x(1)(r, 0));
        if (y_r == pad) break;
        const Scalar n = ops::count_targets(x(1), pad);
        const Scalar p = y(1)(r, c);
        add(e, 0, 0, (p - (c == y_r ? 1.0 : 0.0)) / n,
            c == y_r ? cat("(P", at(r, c), " − 1)/N") : cat("P", at(r, c), "/N"), Element{b_.outputs[1], r, c});
        break;
      }
      case OpKind::stack_rows: add(e, static_cast<int>(in_), c, 1, "1"); break;
      case OpKind::tanh: add(e, r, c, 1 - y()(r, c) * y()(r, c), cat("1 − Y", at(r, c), "²"), Element{b_.outputs[0], r, c}); break;
      case OpKind::gru_cell: gru_terms(e); break;
      case OpKind::additive_scores: additive_terms(e); break;
      case OpKind::count: break;
    }
  }

  // H'[b,k] depends on X[b,·] and H[b,·] through the gates' inputs (slopes a, ops::gru_slopes):
  //   ∂H'[b,k]/∂X[b,c] = a_r W_x[k,c] + a_z W_x[d+k,c] + a_n W_x[2d+k,c]
  //   ∂H'[b,k]/∂H[b,c] = a_r W_h[k,c] + a_z W_h[d+k,c] + a_m W_h[2d+k,c] + z [k = c]
  // and on row j = g·d + k of W_x, W_h, b_x, b_h (gate g of unit k) through that gate alone.
  void gru_terms(Explanation& e) {
    const Mat& X = x(0);
    const Mat& H = x(1);
    const Mat& gates = t_.step(b_.twin).saved;
    const int d = static_cast<int>(H.cols()), r = r_, c = c_;
    const auto slope = [&](int b, int k, int gate, bool of_h) {
      const ops::GruSlopes a = ops::gru_slopes(gates, H, b, k);
      return gate == 0 ? a.r : gate == 1 ? a.z : (of_h ? a.m : a.n);
    };
    static constexpr const char* gate_name[] = {"r", "z", "n"};
    if (in_ == 0 || in_ == 1) {
      const Mat& W = x(in_ == 0 ? 2 : 3);
      for (int k = 0; k < d; ++k) {
        Scalar local = 0;
        for (int g = 0; g < 3; ++g) local += slope(r, k, g, in_ == 1) * W(g * d + k, c);
        const char* W_name = in_ == 0 ? "W_x" : "W_h";
        std::string text = cat("a_r ", W_name, at(k, c), " + a_z ", W_name, at(d + k, c), in_ == 0 ? " + a_n " : " + a_m ",
                               W_name, at(2 * d + k, c));
        if (in_ == 1 && k == c) {
          local += gates(r, d + k);
          text += " + z";
        }
        add(e, r, k, local, text);
      }
      return;
    }
    // a weight or bias row j = g·d + k
    const int g = r / d, k = r % d;
    const bool of_h = in_ == 3 || in_ == 5, bias = in_ >= 4;
    const int row = bias ? c / d : g, unit = bias ? c % d : k;
    for (int b = 0; b < H.rows(); ++b) {
      const Scalar a = slope(b, unit, row, of_h);
      const std::string slope_text = cat("a_", row == 2 && of_h ? "m" : gate_name[row]);
      if (bias) add(e, b, unit, a, slope_text);
      else add(e, b, k, a * (of_h ? H : X)(b, c), cat(slope_text, " · ", of_h ? "H" : "X", at(b, c)), in(of_h ? 1 : 0, b, c));
    }
  }

  // E[i,j] = Σ_k v[k] t[i·T_k + j, k], t = tanh(S[i] W_sᵀ + K[j]): with s_ij = v ⊙ (1 − t²),
  //   ∂E[i,j]/∂S[i,c] = Σ_k s_ij[k] W_s[k,c],  ∂E[i,j]/∂K[j,c] = s_ij[c],
  //   ∂E[i,j]/∂W_s[k,c] = s_ij[k] S[i,c],  ∂E[i,j]/∂v[k] = t[i·T_k + j, k]
  void additive_terms(Explanation& e) {
    const Mat& S = x(0);
    const Mat& W_s = x(2);
    const Mat& v = x(3);
    const Mat& t = t_.step(b_.twin).saved;
    const int T_q = static_cast<int>(S.rows()), T_k = static_cast<int>(x(1).rows()), r = r_, c = c_;
    const auto slope = [&](int i, int j, int k) {
      const Scalar h = t(i * T_k + j, k);
      return v(0, k) * (1 - h * h);
    };
    switch (in_) {
      case 0:
        for (int j = 0; j < T_k; ++j) {
          Scalar local = 0;
          for (int k = 0; k < W_s.rows(); ++k) local += slope(r, j, k) * W_s(k, c);
          add(e, r, j, local, "Σₖ v[k] (1 − t²) W_s[k,c]");
        }
        break;
      case 1:
        for (int i = 0; i < T_q; ++i) add(e, i, r, slope(i, r, c), cat("v", at(0, c), " (1 − t", at(i * T_k + r, c), "²)"));
        break;
      default:
        for (int i = 0; i < T_q; ++i)
          for (int j = 0; j < T_k; ++j) {
            if (in_ == 2) add(e, i, j, slope(i, j, r) * S(i, c), cat("v (1 − t²) · S", at(i, c)), in(0, i, c));
            else add(e, i, j, t(i * T_k + j, c), cat("t", at(i * T_k + j, c)));
          }
        break;
    }
  }

  const Trace& t_;
  const Step& b_;
  std::size_t in_;
  int r_, c_;
};

void check_element(const Mat& m, int row, int col) {
  if (row < 0 || col < 0 || row >= m.rows() || col >= m.cols())
    throw std::out_of_range(cat("element ", at(row, col), " is outside a ", std::to_string(m.rows()), "×",
                                std::to_string(m.cols()), " tensor"));
}

}  // namespace

Explanation explain(const Trace& trace, int step, int input, int row, int col) {
  if (step < 0 || step >= trace.step_count()) throw std::out_of_range(cat("no step ", std::to_string(step)));
  const Step& b = trace.step(step);
  if (b.phase != Phase::backward)
    throw std::out_of_range(cat("step ", std::to_string(step), " is not a backward step"));
  if (input < 0 || input >= static_cast<int>(b.inputs.size()))
    throw std::out_of_range(cat("step ", std::to_string(step), " has no input ", std::to_string(input)));
  const TensorId id = b.inputs[static_cast<std::size_t>(input)];
  if (!trace.tensor(id).requires_grad) throw std::out_of_range(cat(trace.tensor(id).name, " takes no gradient"));
  check_element(trace.value(id), row, col);
  Explanation e = Explainer(trace, b, input, row, col).run();
  e.target = cat("∂L/∂", trace.tensor(id).name, at(row, col));
  e.is_share = b.input_grads.size() > static_cast<std::size_t>(input) &&
               b.input_grads[static_cast<std::size_t>(input)].size() > 0;
  return e;
}

GradientShares gradient_shares(const Trace& trace, TensorId tensor, int row, int col) {
  if (!trace.tensor(tensor).requires_grad || !trace.has_backward())
    throw std::out_of_range(cat(trace.tensor(tensor).name, " takes no gradient"));
  check_element(trace.value(tensor), row, col);
  GradientShares g;
  for (int s = trace.forward_count(); s < trace.step_count(); ++s) {
    const Step& b = trace.step(s);
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      if (b.inputs[i] != tensor) continue;
      const Scalar v = trace.share(b, i)(row, col);
      g.shares.push_back({s, static_cast<int>(i), v});
      g.sum += v;
    }
  }
  g.stored = trace.grad(tensor)(row, col);
  return g;
}

ForwardExplanation explain_forward(const Trace& trace, int step, int output, int row, int col) {
  if (step < 0 || step >= trace.step_count()) throw std::out_of_range(cat("no step ", std::to_string(step)));
  const Step& f = trace.step(step);
  if (f.phase != Phase::forward) throw std::out_of_range(cat("step ", std::to_string(step), " is not a forward step"));
  if (output < 0 || output >= static_cast<int>(f.outputs.size()))
    throw std::out_of_range(cat("step ", std::to_string(step), " has no output ", std::to_string(output)));
  const Mat& Y = trace.value(f.outputs[static_cast<std::size_t>(output)]);
  check_element(Y, row, col);
  auto x = [&](std::size_t i) -> const Mat& { return trace.value(f.inputs[i]); };
  auto el = [&](std::size_t i, int r, int c) { return Element{f.inputs[i], r, c}; };
  const int r = row, c = col;

  ForwardExplanation e;
  e.target = cat(trace.tensor(f.outputs[static_cast<std::size_t>(output)]).name, at(r, c));
  e.rule = std::string(f.formula);
  e.value = Y(r, c);
  auto product = [&](Scalar a, Element ea, Scalar b, Element eb, std::string text) {
    e.terms.push_back({a, b, ea, eb, std::move(text), {}});
  };
  switch (f.op) {
    case OpKind::linear:  // Y[r,c] = Σₖ X[r,k] W[c,k] + b[c]
      for (int k = 0; k < x(0).cols(); ++k)
        product(x(0)(r, k), el(0, r, k), x(1)(c, k), el(1, c, k), cat("X", at(r, k), " · W", at(c, k)));
      e.constant = x(2)(0, c);
      break;
    case OpKind::scores:  // S[r,c] = Σₖ Q[r,k] K[c,k]
      for (int k = 0; k < x(0).cols(); ++k)
        product(x(0)(r, k), el(0, r, k), x(1)(c, k), el(1, c, k), cat("Q", at(r, k), " · K", at(c, k)));
      break;
    case OpKind::weighted_sum:  // O[r,c] = Σₖ A[r,k] V[k,c]
      for (int k = 0; k < x(0).cols(); ++k)
        product(x(0)(r, k), el(0, r, k), x(1)(k, c), el(1, k, c), cat("A", at(r, k), " · V", at(k, c)));
      break;
    case OpKind::scale:
      product(x(0)(r, c), el(0, r, c), f.args.c, el(0, r, c), cat("X", at(r, c), " · c"));
      break;
    case OpKind::softmax: {
      const Mat& S = x(0);
      const Scalar m = S.row(r).maxCoeff();
      if (std::isinf(m)) { e.after = N_("every key masked: weight 0"); break; }
      Scalar denom = 0;
      for (int k = 0; k < S.cols(); ++k) denom += std::exp(S(r, k) - m);
      e.after = cat("exp(S", at(r, c), " − max) / Σₖ exp(S[", std::to_string(r), ",k] − max) = ",
                    std::to_string(std::exp(S(r, c) - m)), " / ", std::to_string(denom));
      break;
    }
    case OpKind::sum:  // L = Σᵢⱼ Y[i,j] · 1
      for (int i = 0; i < x(0).rows(); ++i)
        for (int j = 0; j < x(0).cols(); ++j)
          e.terms.push_back({x(0)(i, j), 1, el(0, i, j), std::nullopt, cat("Y", at(i, j), " · 1"), {}});
      break;
    case OpKind::mask:
      e.after = x(1)(r, c) != 0 ? N_("M = 1: the score is kept") : N_("M = 0: the score becomes −∞");
      break;
    case OpKind::gelu:  // Y[r,c] = X[r,c] · Φ(X[r,c])
      e.terms.push_back({x(0)(r, c), ops::normal_cdf(x(0)(r, c)), el(0, r, c), std::nullopt, "X" + at(r, c) + " · Φ(X" + at(r, c) + ")", {}});
      break;
    case OpKind::additive_scores: {  // E[r,c] = Σₖ v[k] · tanh(W_s s_r + k_c)[k]
      const Mat& t = trace.step(step).saved;
      const int T_k = static_cast<int>(x(1).rows());
      for (int k = 0; k < x(3).cols(); ++k)
        e.terms.push_back({x(3)(0, k), t(r * T_k + c, k), el(3, 0, k), std::nullopt,
                           cat("v", at(0, k), " · tanh(W_s s + k)", at(r * T_k + c, k)), {}});
      break;
    }
    case OpKind::gru_cell: {  // H'[r,c] = (1 − z) n + z H
      const Mat& g = trace.step(step).saved;
      const int d = static_cast<int>(Y.cols());
      const Scalar z = g(r, d + c), n = g(r, 2 * d + c);
      e.terms.push_back({1 - z, n, el(1, r, c), std::nullopt, "(1 − z) · n", {}});
      e.terms.push_back({z, x(1)(r, c), el(1, r, c), el(1, r, c), cat("z · H", at(r, c)), {}});
      e.after = cat("r = ", std::to_string(g(r, c)), ", z = ", std::to_string(z), ", n = ", std::to_string(n));
      break;
    }
    default:
      e.after = N_("element-wise: %s");
      e.after_words = {std::string(f.formula)};
      break;
  }
  return e;
}

}  // namespace attnviz

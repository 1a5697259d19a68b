// explain() and explain_forward(): the checks, the target, the rule, the sum and the stored
// share around an op's own terms, which its row in the op table gives (op_terms.h).

#include "model/explain.h"

#include "model/op_terms.h"

#include <stdexcept>
#include <string>
#include <utility>

namespace attnviz {

std::string at(int r, int c) { return cat("[", std::to_string(r), ",", std::to_string(c), "]"); }

Term& GradientElement::add(int ur, int uc, Scalar local, std::string text, std::optional<Element> local_at,
                           std::size_t output) {
  const TensorId y = step_.outputs[output];
  terms.push_back({trace_.grad(y)(ur, uc), local, {y, ur, uc}, local_at, std::move(text), {}});
  return terms.back();
}

namespace {

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
  GradientElement dx(trace, b, static_cast<std::size_t>(input), row, col);
  op_info(b.op).chain_terms(dx);
  Explanation e;
  e.target = cat("∂L/∂", trace.tensor(id).name, at(row, col));
  e.rule = std::string(b.formula);
  e.terms = std::move(dx.terms);
  for (const Term& term : e.terms) e.sum += term.product();
  e.stored = trace.share(b, static_cast<std::size_t>(input))(row, col);
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
  ForwardExplanation e;
  e.target = cat(trace.tensor(f.outputs[static_cast<std::size_t>(output)]).name, at(row, col));
  e.rule = std::string(f.formula);
  e.value = Y(row, col);
  OutputElement y(trace, f, static_cast<std::size_t>(output), row, col, e);
  op_info(f.op).forward_terms(y);
  return e;
}

}  // namespace attnviz

#include "app/trace_print.h"

#include "model/fixed_attention.h"
#include "model/op_table.h"
#include "model/session.h"

#include <cstdio>
#include <ostream>
#include <string>

namespace attnviz::app {

namespace {

std::string first_values(const Mat& m, int count = 4) {
  std::string s;
  char buf[32];
  const Eigen::Index n = std::min<Eigen::Index>(m.size(), count);
  for (Eigen::Index i = 0; i < n; ++i) {
    std::snprintf(buf, sizeof buf, "%s%.4g", i ? " " : "", m.data()[i]);
    s += buf;
  }
  if (m.size() > n) s += " …";
  return s;
}

std::string shape(const Mat& m) { return std::to_string(m.rows()) + "×" + std::to_string(m.cols()); }

void print_step(std::ostream& out, const Trace& t, int index, bool explain) {
  const Step& s = t.step(index);
  char head[96];
  std::snprintf(head, sizeof head, "%4d %-8s ", index, to_string(s.phase));
  out << head << s.label << "   " << s.formula << "\n";
  if (s.phase == Phase::forward) {
    const Mat& y = t.value(s.outputs[0]);
    out << "              out " << shape(y) << ": " << first_values(y) << "\n";
  } else {
    for (std::size_t i = 0; i < s.inputs.size(); ++i) {
      const Tensor& in = t.tensor(s.inputs[i]);
      if (!in.requires_grad) continue;
      const Mat& g = t.share(s, i);
      out << "              ∂L/∂" << in.name << " " << shape(g) << ": " << first_values(g) << "\n";
      break;
    }
  }
  if (!s.fully_masked_rows.empty())
    out << "              every key masked in " << s.fully_masked_rows.size() << " row(s): weights 0\n";
  if (s.non_finite)
    out << "              non-finite value " << s.non_finite->value << " at [" << s.non_finite->row << ","
        << s.non_finite->col << "] of " << t.tensor(s.non_finite->tensor).name << "\n";
  if (explain) out << "              " << describe(s.op, s.phase) << "\n";
}

}  // namespace

void print_steps(std::ostream& out, const Session& session) {
  const Trace& t = session.trace();
  for (int i = 0; i < t.step_count(); ++i) print_step(out, t, i, false);
  out << "loss " << t.loss() << "\n";
}

void print_walkthrough(std::ostream& out, const Session& session) {
  const Trace& t = session.trace();
  const Config& c = session.config();
  out << "attnviz — " << session.preset().name << ": \"" << session.src_text() << "\" → \"" << session.tgt_text()
      << "\"\n"
      << "d_model " << c.d_model << ", " << c.heads << " heads, " << c.encoder_layers << " + " << c.decoder_layers
      << " layers, d_ff " << c.d_ff << "; " << t.forward_count() << " forward steps, then "
      << t.step_count() - t.forward_count() << " backward steps. Loss " << t.loss() << ".\n"
      << "In the window: → next step, ← previous, Shift+→ next sublayer, Space play, B forward/backward twin.\n\n";
  for (int i = 0; i < t.step_count(); ++i) print_step(out, t, i, true);
}

void print_fixed_attention(std::ostream& out, const std::string& title, const FixedAttention& attention) {
  Parameters params = fixed_attention_parameters(attention);
  Trace t;
  run_fixed_attention(attention, params, t);
  out << "attnviz — " << title << ": one attention head, Q = X W_Q, K = X W_K, V = X W_V, softmax(Q Kᵀ / √"
      << attention.W_Q.cols() << ") V\n\n";
  const auto matrix = [&](const std::string& name, const Mat& m) {
    out << "  " << name << " (" << shape(m) << ")\n";
    char buf[32];
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      out << "    ";
      for (Eigen::Index c = 0; c < m.cols(); ++c) {
        std::snprintf(buf, sizeof buf, " %12.7g", m(r, c));
        out << buf;
      }
      out << "\n";
    }
  };
  matrix("X", attention.X);
  matrix("W_Q", attention.W_Q);
  matrix("W_K", attention.W_K);
  matrix("W_V", attention.W_V);
  out << "\n";
  for (int i = 0; i < t.forward_count(); ++i) {
    const Step& s = t.step(i);
    out << i << "  " << s.label << "   " << s.formula << "\n";
    matrix(t.tensor(s.outputs[0]).name, t.value(s.outputs[0]));
    out << "  " << describe(s.op, s.phase) << "\n\n";
  }
  out << "L = Σ O = " << t.loss() << " (no target: ∂L/∂O = 1), then " << t.step_count() - t.forward_count()
      << " backward steps, as the window steps through them.\n\n";
}

}  // namespace attnviz::app

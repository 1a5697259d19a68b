#include "model/analysis/inputs.h"

#include "model/error.h"

#include <string>

namespace attnviz::analysis {

TensorId embedding_output(const Trace& trace, Stack stack) {
  for (int i = 0; i < trace.forward_count(); ++i) {
    const Step& s = trace.step(i);
    if (s.op == OpKind::embedding && s.where.stack == stack) return s.outputs.front();
  }
  throw InputError(std::string("stack: the trace has no embedding for ") + to_string(stack));
}

InputParts input_parts(const Trace& trace, Stack stack) {
  InputParts parts;
  parts.embedding = trace.value(embedding_output(trace, stack));
  parts.input = parts.embedding;
  parts.positional = Mat::Zero(parts.embedding.rows(), parts.embedding.cols());
  for (int i = 0; i < trace.forward_count(); ++i) {
    const Step& s = trace.step(i);
    if (s.where.stack != stack || s.where.sublayer != Sublayer::embed) continue;
    if (s.op == OpKind::scale) parts.embedding = parts.input = trace.value(s.outputs.front());
    if (s.op == OpKind::add_positional) {
      parts.positional = trace.value(s.inputs.at(1));
      parts.input = trace.value(s.outputs.front());
    }
  }
  return parts;
}

Mat saliency(const Trace& trace, Stack stack) {
  const TensorId e = embedding_output(trace, stack);
  if (!trace.has_backward()) throw InputError("trace: no gradients yet; run backward first");
  const Mat& g = trace.grad(e);
  Mat s(g.rows(), 1);
  for (Eigen::Index t = 0; t < g.rows(); ++t) s(t, 0) = g.row(t).norm();
  return s;
}

}  // namespace attnviz::analysis

#include "model/gradlab/transformer_flow.h"

#include "model/error.h"
#include "model/parameters.h"

#include <cmath>

namespace attnviz::gradlab {

namespace {

bool is_sublayer(Sublayer s) { return s == Sublayer::self_attn || s == Sublayer::cross_attn || s == Sublayer::ffn; }

std::string sublayer_label(const Where& w) {
  return std::string(to_string(w.stack)) + "." + std::to_string(w.layer) + "." + to_string(w.sublayer);
}

// The forward step that produced activation `id`, searching back from step `before`.
int producer(const Trace& trace, TensorId id, int before) {
  for (int i = before - 1; i >= 0; --i)
    for (TensorId out : trace.step(i).outputs)
      if (out == id) return i;
  return -1;
}

}  // namespace

std::string parameter_group(const std::string& name) {
  // encoder.layers.{i}.{sublayer}.… → the first four parts; anything else → all but the last.
  std::vector<std::size_t> dots;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (name[i] == '.') dots.push_back(i);
  const bool layered = name.rfind("encoder.layers.", 0) == 0 || name.rfind("decoder.layers.", 0) == 0;
  if (layered && dots.size() >= 4) return name.substr(0, dots[3]);
  if (dots.empty()) return name;
  return name.substr(0, dots.back());
}

GradientFlow gradient_flow(const Trace& trace, const Config& config) {
  GradientFlow flow;
  flow.loss = trace.loss();
  Where current;
  for (int i = 0; i < trace.forward_count(); ++i) {
    const Step& s = trace.step(i);
    if (!is_sublayer(s.where.sublayer)) continue;
    const Where block{s.where.stack, s.where.layer, s.where.sublayer, -1};
    if (block == current) continue;
    current = block;
    // Post-norm: the block's first op (q_proj or linear1) reads x.  Pre-norm: it reads LN(x);
    // x is the input of the LayerNorm that produced it.
    int reader = i;
    if (config.norm == NormPlacement::pre) {
      const int ln = producer(trace, s.inputs[0], i);
      if (ln >= 0 && trace.step(ln).op == OpKind::layer_norm) reader = ln;
    }
    const TensorId x = trace.step(reader).inputs[0];
    SublayerGradient g;
    g.label = sublayer_label(block);
    g.where = block;
    g.forward_step = i;
    g.backward_step = trace.step(reader).twin;
    g.input_grad_norm = trace.grad(x).size() > 0 ? trace.grad(x).norm() : 0;
    flow.sublayers.push_back(std::move(g));
  }
  const Parameters& params = *trace.params();
  for (const Tensor& p : params) {
    const std::string group = parameter_group(p.name);
    if (flow.groups.empty() || flow.groups.back().group != group) flow.groups.push_back({group, 0});
    flow.groups.back().grad_norm += p.grad.squaredNorm();
  }
  for (ParameterGroupGradient& g : flow.groups) g.grad_norm = std::sqrt(g.grad_norm);
  return flow;
}

std::vector<FlowVariant> gradient_flow_variants(const Config& config, const Example& example, std::uint64_t seed,
                                                const Parameters* weights, const FlowProgress& progress) {
  std::vector<FlowVariant> variants;
  for (bool residual : {true, false})
    for (NormPlacement norm : {NormPlacement::post, NormPlacement::pre}) {
      if (progress && !progress(static_cast<int>(variants.size()), 4)) return {};
      Config c = config;
      c.residual = residual;
      c.norm = norm;
      Transformer model(c, seed);
      if (weights)
        for (Tensor& p : model.params())
          if (const std::optional<int> k = weights->find(p.name)) {
            const Mat& w = (*weights)[*k].value;
            if (w.rows() != p.value.rows() || w.cols() != p.value.cols())
              throw InputError(p.name + ": the weights are " + std::to_string(w.rows()) + "×" +
                               std::to_string(w.cols()) + ", the model needs " + std::to_string(p.value.rows()) + "×" +
                               std::to_string(p.value.cols()));
            p.value = w;
          }
      Trace trace;
      run_forward(model, example, trace);
      run_backward(trace);
      variants.push_back({residual, norm, gradient_flow(trace, c)});
    }
  return variants;
}

}  // namespace attnviz::gradlab

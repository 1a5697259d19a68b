#include "app/trace_json.h"

#include "model/io/safetensors.h"
#include "model/session.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <ostream>

namespace attnviz::app {

namespace {

// Numbers with 17 significant digits (doubles round-trip); −∞, ∞ and NaN as strings, since JSON
// has no such numbers.
void number(std::ostream& out, double v) {
  if (std::isnan(v)) {
    out << "\"nan\"";
    return;
  }
  if (std::isinf(v)) {
    out << (v < 0 ? "\"-inf\"" : "\"inf\"");
    return;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  out << buf;
}

void matrix(std::ostream& out, const Mat& m) {
  out << '[';
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    if (i) out << ',';
    number(out, m.data()[i]);
  }
  out << ']';
}

std::string quoted(const std::string& s) { return nlohmann::json(s).dump(); }

// `shape` as given (a parameter's PyTorch shape: a bias is [n], so it reads back as weights),
// else [rows, cols].
void tensor(std::ostream& out, const Tensor& t, const std::vector<std::int64_t>& shape = {}) {
  out << "{\"shape\":[";
  if (shape.empty()) out << t.value.rows() << ',' << t.value.cols();
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << "],\"value\":";
  matrix(out, t.value);
  out << ",\"grad\":";
  if (t.grad.size() > 0)
    matrix(out, t.grad);
  else
    out << "null";
  out << '}';
}

void ids(std::ostream& out, const std::vector<int>& v) {
  out << '[';
  for (std::size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << v[i];
  out << ']';
}

nlohmann::json config_json(const Config& c) {
  nlohmann::json j;
  for (const auto& [key, value] : config_entries(c)) {
    if (value == "true" || value == "false")
      j[key] = value == "true";
    else if (key == "norm" || key == "positional" || key == "activation" || key == "architecture" || key == "cell")
      j[key] = value;
    else if (key == "ln_eps")
      j[key] = c.ln_eps;
    else
      j[key] = std::stoi(value);
  }
  return j;
}

nlohmann::json words_json(const std::vector<std::string>& words) { return nlohmann::json(words); }

}  // namespace

void write_trace_json(std::ostream& out, const Session& session) {
  const Trace& t = session.trace();
  const Example& ex = session.example();
  out << "{\"format\":\"attnviz-trace\",\"version\":1,\n\"config\":" << config_json(session.config()).dump();
  out << ",\n\"src_ids\":";
  ids(out, ex.src);
  out << ",\"tgt_in_ids\":";
  ids(out, ex.tgt_in);
  out << ",\"tgt_out_ids\":";
  ids(out, ex.tgt_out);
  out << ",\"pad_id\":" << ex.pad_id;
  out << ",\n\"src_words\":" << words_json(session.src_words()).dump()
      << ",\"tgt_in_words\":" << words_json(session.tgt_in_words()).dump()
      << ",\"tgt_out_words\":" << words_json(session.tgt_out_words()).dump();
  out << ",\n\"loss\":";
  number(out, t.loss());

  out << ",\n\"params\":{";
  bool first = true;
  for (const Tensor& p : session.model().params()) {
    out << (first ? "\n" : ",\n") << quoted(p.name) << ':';
    tensor(out, p, io::pytorch_shape(p));
    first = false;
  }
  out << "},\n\"tensors\":{";
  for (int i = 0; i < t.tensor_count(); ++i) {
    const Tensor& a = t.tensor(t.activation(i));
    out << (i ? ",\n" : "\n") << quoted(a.name) << ':';
    tensor(out, a);
  }
  out << "},\n\"steps\":[";
  for (int i = 0; i < t.step_count(); ++i) {
    const Step& s = t.step(i);
    nlohmann::json j;
    j["index"] = i;
    j["phase"] = to_string(s.phase);
    j["op"] = to_string(s.op);
    j["label"] = s.label;
    j["where"] = {{"stack", to_string(s.where.stack)},
                  {"layer", s.where.layer},
                  {"sublayer", to_string(s.where.sublayer)},
                  {"head", s.where.head}};
    for (TensorId id : s.inputs) j["inputs"].push_back(t.tensor(id).name);
    for (TensorId id : s.outputs) j["outputs"].push_back(t.tensor(id).name);
    j["formula"] = std::string(s.formula);
    j["twin"] = s.twin;
    if (!s.fully_masked_rows.empty()) j["fully_masked_rows"] = s.fully_masked_rows;
    if (s.non_finite)
      j["non_finite"] = {
          {"tensor", t.tensor(s.non_finite->tensor).name}, {"row", s.non_finite->row}, {"col", s.non_finite->col}};
    out << (i ? ",\n" : "\n") << j.dump();
  }
  out << "\n]}\n";
}

}  // namespace attnviz::app

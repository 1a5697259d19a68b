#include "model/io/safetensors.h"

#include "model/error.h"
#include "model/budget.h"
#include "model/io/files.h"
#include "model/io/json_text.h"
#include "model/io/weight_names.h"
#include "model/quote.h"
#include "model/translatable.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

namespace attnviz::io {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

constexpr std::uint64_t max_header = 100'000'000;  // 100 MB, as the safetensors library

std::size_t element_size(DType d) { return d == DType::f32 ? 4 : 8; }
const char* dtype_name(DType d) { return d == DType::f32 ? "F32" : "F64"; }

// "[3, 4]"; past 8 dimensions cut: "[0, 0, 0, 0, 0, 0, 0, 0, … (100000 dimensions)]".
std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size() && i < 8; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() > 8) s += ", … (" + std::to_string(shape.size()) + " dimensions)";
  return s + "]";
}

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct Entry {
  FileTensor tensor;
  std::uint64_t begin = 0, end = 0;
};

}  // namespace

std::vector<std::int64_t> pytorch_shape(const Tensor& p) {
  const bool vector = ends_with(p.name, ".bias") ||
                      (ends_with(p.name, ".weight") && p.name.find(".norm") != std::string::npos) ||
                      p.name.rfind("encoder.norm", 0) == 0 || p.name.rfind("decoder.norm", 0) == 0;
  if (vector && p.value.rows() == 1) return {p.value.cols()};
  return {p.value.rows(), p.value.cols()};
}

namespace {

// Each refusal a whole sentence "<file>: …" (its words after the file's name).
struct Refuse {
  const std::string& origin;
  [[noreturn]] void operator()(const char* format, std::vector<std::string> words = {}) const {
    words.insert(words.begin(), origin);
    throw InputError(format, std::move(words));
  }
};

// The JSON header after the 8-byte little-endian length.
std::string_view header_of(std::string_view bytes, const Refuse& fail) {
  if (bytes.size() < 8)
    fail(N_("%s: only %s bytes: too short for the 8-byte header length"), {std::to_string(bytes.size())});
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  // The first 8 bytes are not printed as a number: from a file that is not safetensors they are
  // its own bytes.
  if (n > max_header)
    fail(N_("%s: not a safetensors file: its first 8 bytes give a header longer than %s"),
         {bytes_text(double(max_header))});
  if (n > bytes.size() - 8)
    fail(
        N_("%s: not a safetensors file, or cut short: its first 8 bytes give a header longer than the file (%s bytes)"),
        {std::to_string(bytes.size())});
  const std::string_view header = bytes.substr(8, static_cast<std::size_t>(n));
  if (header.empty() || header.front() != '{') fail(N_("%s: the header does not start with '{'"));
  return header;
}

void check_metadata(const Json& metadata, const Refuse& fail) {
  if (!metadata.is_object()) fail(N_("%s: __metadata__ is not an object"));
  for (const auto& [k, v] : metadata.items())
    if (!v.is_string()) fail(N_("%s: __metadata__.%s is not a string"), {quote(k)});
}

DType dtype_of(const Json& info, const std::string& what, const Refuse& fail) {
  if (!info.contains("dtype") || !info["dtype"].is_string()) fail(N_("%s: tensor %s: dtype missing"), {what});
  const std::string dtype = info["dtype"].get<std::string>();
  if (dtype == "F32") return DType::f32;
  if (dtype == "F64") return DType::f64;
  fail(N_("%s: tensor %s: unknown dtype %s (F32 and F64 are read)"), {what, quote(dtype)});
}

// The tensor's shape into `e`; its element count, refused where it or its byte size overflows.
std::uint64_t shape_of(const Json& info, const std::string& what, Entry& e, const Refuse& fail) {
  if (!info.contains("shape") || !info["shape"].is_array())
    fail(N_("%s: tensor %s: shape missing or not a list"), {what});
  const std::string shape_json = printable(info["shape"].dump(), 60);
  std::uint64_t count = 1;
  bool overflow = false;
  for (const Json& d : info["shape"]) {
    if (!d.is_number_unsigned() && !(d.is_number_integer() && d.get<std::int64_t>() >= 0))
      fail(N_("%s: tensor %s: shape %s is not a list of non-negative whole numbers"), {what, shape_json});
    const std::uint64_t dim = d.get<std::uint64_t>();
    if (dim > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      overflow = true;
    else
      e.tensor.shape.push_back(static_cast<std::int64_t>(dim));
    if (dim != 0 && count > std::numeric_limits<std::uint64_t>::max() / dim)
      overflow = true;
    else
      count *= dim;
  }
  if (overflow || count > std::numeric_limits<std::uint64_t>::max() / element_size(e.tensor.dtype))
    fail(N_("%s: tensor %s: shape %s overflows its byte size"), {what, shape_json});
  return count;
}

// One tensor's {dtype, shape, data_offsets}, its offsets agreeing with its shape.
Entry entry_of(const std::string& name, const Json& info, const Refuse& fail) {
  const std::string what = quote(name);
  if (!info.is_object()) fail(N_("%s: tensor %s: expected {dtype, shape, data_offsets}"), {what});
  for (auto field = info.begin(); field != info.end(); ++field)
    if (field.key() != "dtype" && field.key() != "shape" && field.key() != "data_offsets")
      fail(N_("%s: tensor %s: unknown field %s"), {what, quote(field.key())});
  Entry e;
  e.tensor.name = name;
  e.tensor.dtype = dtype_of(info, what, fail);
  const std::uint64_t count = shape_of(info, what, e, fail);
  const Json& offsets = info.contains("data_offsets") ? info["data_offsets"] : Json();
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned())
    fail(N_("%s: tensor %s: data_offsets must be [begin, end], two non-negative whole numbers"), {what});
  e.begin = offsets[0].get<std::uint64_t>();
  e.end = offsets[1].get<std::uint64_t>();
  if (e.end < e.begin)
    fail(N_("%s: tensor %s: data_offsets end %s is before begin %s"),
         {what, std::to_string(e.end), std::to_string(e.begin)});
  const std::uint64_t size = count * element_size(e.tensor.dtype);
  if (e.end - e.begin != size)
    fail(N_("%s: tensor %s: shape %s of %s needs %s bytes, data_offsets give %s"),
         {what, printable(info["shape"].dump(), 60), dtype_name(e.tensor.dtype), std::to_string(size),
          std::to_string(e.end - e.begin)});
  return e;
}

// The tensors must tile the data exactly: from 0, each beginning where the one before ends.
void check_tiling(const std::vector<Entry>& entries, std::uint64_t data_size, const Refuse& fail) {
  std::vector<const Entry*> by_offset;
  for (const Entry& e : entries) by_offset.push_back(&e);
  std::stable_sort(by_offset.begin(), by_offset.end(), [](const Entry* a, const Entry* b) {
    return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
  });
  std::uint64_t expected = 0;
  for (const Entry* e : by_offset) {
    if (e->begin < expected)
      fail(N_("%s: tensor %s: data_offsets [%s, %s] overlap the tensor before it (which ends at %s)"),
           {quote(e->tensor.name), std::to_string(e->begin), std::to_string(e->end), std::to_string(expected)});
    if (e->begin > expected)
      fail(N_("%s: tensor %s: data_offsets begin at %s, not at %s: the offsets are not contiguous from 0"),
           {quote(e->tensor.name), std::to_string(e->begin), std::to_string(expected)});
    expected = e->end;
  }
  if (expected > data_size)
    fail(N_("%s: the tensors need %s bytes of data, the file has %s"),
         {std::to_string(expected), std::to_string(data_size)});
  if (expected < data_size)
    fail(N_("%s: %s trailing bytes after the last tensor"), {std::to_string(data_size - expected)});
}

// The tensor's values from the data, widened to double, checked finite.
void read_values(const char* data, Entry& e, const Refuse& fail) {
  const std::size_t count = static_cast<std::size_t>((e.end - e.begin) / element_size(e.tensor.dtype));
  e.tensor.values.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    double v;
    if (e.tensor.dtype == DType::f32) {
      float f;
      std::memcpy(&f, data + e.begin + 4 * i, 4);
      v = f;
    } else {
      std::memcpy(&v, data + e.begin + 8 * i, 8);
    }
    if (!std::isfinite(v))
      fail(N_("%s: tensor %s: element %s is %s: weights must be finite"), {quote(e.tensor.name), std::to_string(i),
                                                                           std::isnan(v) ? "NaN"
                                                                           : v > 0       ? "+inf"
                                                                                         : "-inf"});
    e.tensor.values[i] = v;
  }
}

}  // namespace

std::vector<FileTensor> parse_safetensors(std::string_view bytes, const std::string& origin) {
  const Refuse fail{origin};
  const std::string_view header = header_of(bytes, fail);
  const Json json = parse_json(header, origin + ": header");
  if (!json.is_object()) fail(N_("%s: the header is not a JSON object"));
  std::vector<Entry> entries;
  for (auto it = json.begin(); it != json.end(); ++it) {
    if (it.key() == "__metadata__")
      check_metadata(it.value(), fail);
    else
      entries.push_back(entry_of(it.key(), it.value(), fail));
  }
  const std::size_t data_start = 8 + header.size();
  check_tiling(entries, bytes.size() - data_start, fail);
  std::vector<FileTensor> out;
  out.reserve(entries.size());
  for (Entry& e : entries) {
    read_values(bytes.data() + data_start, e, fail);
    out.push_back(std::move(e.tensor));
  }
  return out;
}

std::string serialize_safetensors(const Parameters& params, DType dtype) {
  Json header = Json::object();
  std::uint64_t offset = 0;
  for (const Tensor& p : params) {
    const std::uint64_t bytes = static_cast<std::uint64_t>(p.value.size()) * element_size(dtype);
    header[p.name] = {
        {"dtype", dtype_name(dtype)}, {"shape", pytorch_shape(p)}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string text = header.dump();
  text.append((8 - (8 + text.size()) % 8) % 8, ' ');  // data starts 8-byte aligned
  std::string out(8, '\0');
  const std::uint64_t n = text.size();
  std::memcpy(out.data(), &n, 8);
  out += text;
  out.reserve(out.size() + offset);
  for (const Tensor& p : params)
    for (Eigen::Index i = 0; i < p.value.size(); ++i) {
      const double v = p.value.data()[i];  // row-major, as PyTorch stores it
      if (dtype == DType::f32) {
        const float f = static_cast<float>(v);
        out.append(reinterpret_cast<const char*>(&f), 4);
      } else {
        out.append(reinterpret_cast<const char*>(&v), 8);
      }
    }
  return out;
}

namespace {

// The problems of fitting a file's tensors to the parameters, all of them, and what might fix them.
struct Misshapen {
  bool packed = false;              // a packed tensor of the file ("tensor"), not a parameter's own
  std::string name, shape, needed;  // "'x'", "[3, 4]", "[4, 4]"
};

struct Missing {
  std::string name, named;  // "'x'", and the file's name the lesson gives it ("'y'") or ""
};

struct Fit {
  std::vector<Missing> missing;
  std::vector<std::string> extra;        // quoted names of the file
  std::vector<InputError> other, hints;  // each a sentence of its own
  std::vector<Misshapen> misshapen;
  std::vector<const NamedTensor*> match;  // per parameter
  std::vector<const NamedTensor*> unused;
  bool empty() const { return missing.empty() && extra.empty() && misshapen.empty() && other.empty(); }
};

InputError plain(const std::string& words) { return InputError(words); }

// The items joined with ", " while they fit in about `room` characters (one at least), then
// "… and N more": a file of another model entirely still gets a message of one line.
std::vector<InputError::Part> listed(const std::vector<InputError>& items, std::size_t room = 120) {
  std::vector<InputError::Part> parts;
  std::size_t i = 0, length = 0;
  for (; i < items.size() && (i == 0 || length + std::strlen(items[i].what()) < room); ++i) {
    parts.push_back({i ? N_(", ") : "", items[i]});
    length += (i ? 2 : 0) + std::strlen(items[i].what());
  }
  if (i < items.size()) parts.push_back({"", InputError(N_(" … and %s more"), {std::to_string(items.size() - i)})});
  return parts;
}

std::vector<InputError> plain_items(const std::vector<std::string>& words) {
  std::vector<InputError> items;
  for (const std::string& w : words) items.push_back(plain(w));
  return items;
}

std::vector<std::int64_t> packed_shape(std::vector<std::int64_t> shape, int parts) {
  if (!shape.empty()) shape[0] *= parts;
  return shape;
}

bool contains_any(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (s.find(w) != std::string::npos) return true;
  return false;
}

// The highest layer index in names "<stack>.layers.<i>.…", −1 when none.
int last_layer(const std::vector<std::string>& names, const std::string& stack) {
  int last = -1;
  const std::string start = stack + ".layers.";
  for (const std::string& n : names) {
    if (n.rfind(start, 0) != 0) continue;
    int i = -1;
    const char* digits = n.data() + start.size();
    if (std::from_chars(digits, n.data() + n.size(), i).ec == std::errc()) last = std::max(last, i);
  }
  return last;
}

// "name the tensors in the lesson: "weight_names": {"src_embed.weight": "src_tok_emb…", …}" for
// the parameters without a tensor that one unused tensor of their shape fits.
void suggest_renames(const Parameters& params, Fit& f) {
  std::vector<std::string> renames;
  for (int i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    if (f.match[static_cast<std::size_t>(i)] || p.name.find("layers.") != std::string::npos) continue;
    std::vector<const NamedTensor*> same_shape;
    for (const NamedTensor* t : f.unused)
      if (t->tensor.shape == pytorch_shape(p) && !contains_any(t->source, {"pos"})) same_shape.push_back(t);
    if (same_shape.size() > 1) {  // "src_tok_emb…" for src_embed, "tgt_tok_emb…" for tgt_embed
      std::vector<const NamedTensor*> by_name;
      const bool src = p.name.rfind("src_", 0) == 0, tgt = p.name.rfind("tgt_", 0) == 0;
      for (const NamedTensor* t : same_shape)
        if ((src && contains_any(t->source, {"src", "enc"})) ||
            (tgt && contains_any(t->source, {"tgt", "trg", "dec"})) ||
            (!src && !tgt && !contains_any(t->source, {"emb"})))
          by_name.push_back(t);
      if (by_name.size() == 1) same_shape = by_name;
    }
    if (same_shape.size() == 1)
      renames.push_back("\"" + p.name + "\": \"" + printable(same_shape[0]->source, 80) + "\"");
  }
  if (renames.empty()) return;
  std::vector<InputError::Part> list = listed(plain_items(renames));
  list.push_back({"", plain("}")});
  f.hints.push_back(followed(InputError(N_("name the tensors in the lesson: \"weight_names\": {"), {}), list));
}

// Fixes for names that look like a PyTorch model's: tensors the lesson should name, a positional
// buffer, final norms, more layers than the config.
void suggest(const Parameters& params, Fit& f) {
  std::vector<std::string> unused_names, param_names;
  for (const NamedTensor* t : f.unused) unused_names.push_back(t->tensor.name);
  for (const Tensor& p : params) param_names.push_back(p.name);
  suggest_renames(params, f);
  for (const NamedTensor* t : f.unused)
    if (contains_any(t->source, {"pos_emb", "pos_enc", "positional", "position"})) {
      f.hints.push_back(InputError(N_("%s looks like a positional table: attnviz computes the sinusoidal encoding "
                                      "itself (config.positional), so leave it out of the file; a learned one attnviz "
                                      "cannot run"),
                                   {quote(t->source, 80)}));
      break;
    }
  for (const char* stack : {"encoder", "decoder"}) {
    const std::string norm = std::string(stack) + ".norm.weight";
    const bool file_has = std::find(unused_names.begin(), unused_names.end(), norm) != unused_names.end();
    if (file_has && !params.find(norm)) {
      f.hints.push_back(InputError(N_("the file closes each stack with a LayerNorm, as nn.Transformer always does: set "
                                      "config \"final_norm\": true"),
                                   {}));
      break;
    }
  }
  for (const bool encoder : {true, false}) {
    const char* stack = encoder ? "encoder" : "decoder";
    const int file = last_layer(unused_names, stack), model = last_layer(param_names, stack);
    if (file > model)
      f.hints.push_back(
          InputError(encoder ? N_("the file has encoder layers up to layers.%s, the config %s (config.encoder_layers)")
                             : N_("the file has decoder layers up to layers.%s, the config %s (config.decoder_layers)"),
                     {std::to_string(file), std::to_string(model + 1)}));
  }
}

Fit fit(const Parameters& params, const std::vector<NamedTensor>& tensors,
        const std::map<std::string, std::string>& weight_names) {
  Fit f;
  f.match.assign(static_cast<std::size_t>(params.size()), nullptr);
  std::set<std::string> reported;  // a packed tensor is reported once
  for (const auto& [parameter, file_name] : weight_names)
    if (!params.find(parameter))
      f.other.push_back(
          InputError(N_("weight_names names %s, which is not a parameter of this model"), {quote(parameter, 80)}));
  for (const NamedTensor& t : tensors) {
    const std::optional<int> i = params.find(t.tensor.name);
    if (!i) {
      if (reported.insert(t.source).second) f.extra.push_back(quote(t.source, 80));
      f.unused.push_back(&t);
      continue;
    }
    const NamedTensor*& m = f.match[static_cast<std::size_t>(*i)];
    if (m) {
      f.other.push_back(InputError(N_("%s and %s both give %s"),
                                   {quote(m->source, 80), quote(t.source, 80), quote(t.tensor.name, 80)}));
      continue;
    }
    m = &t;
  }
  for (int i = 0; i < params.size(); ++i) {
    const Tensor& p = params[i];
    const NamedTensor* t = f.match[static_cast<std::size_t>(i)];
    if (!t) {
      const auto named = weight_names.find(p.name);
      f.missing.push_back({quote(p.name, 80), named == weight_names.end() ? "" : quote(named->second, 80)});
      continue;
    }
    if (t->tensor.shape == pytorch_shape(p) || !reported.insert(t->source).second) continue;
    f.misshapen.push_back({t->source != p.name, quote(t->source, 80), shape_text(t->source_shape),
                           shape_text(packed_shape(pytorch_shape(p), t->parts))});
  }
  return f;
}

// A list of several problems of one kind: "3 tensors are not parameters of this model: 'a', 'b', 'c'".
InputError several(const char* heading, std::size_t count, const std::vector<InputError>& items) {
  return followed(InputError(heading, {std::to_string(count)}), listed(items));
}

std::vector<InputError> misshapen_sentences(const std::vector<Misshapen>& misshapen) {
  if (misshapen.size() == 1) {
    const Misshapen& m = misshapen[0];
    return {InputError(m.packed ? N_("tensor %s has shape %s, this model's config needs %s")
                                : N_("parameter %s has shape %s, this model's config needs %s"),
                       {m.name, m.shape, m.needed})};
  }
  if (misshapen.empty()) return {};
  std::vector<InputError> items;
  for (const Misshapen& m : misshapen) items.push_back(InputError(N_("%s %s (needs %s)"), {m.name, m.shape, m.needed}));
  return {several(N_("%s tensors have another shape than this model's config needs: "), items.size(), items)};
}

std::vector<InputError> missing_sentences(const std::vector<Missing>& missing) {
  const auto item = [](const Missing& m) {
    return m.named.empty() ? plain(m.name) : InputError(N_("%s (named %s by the lesson)"), {m.name, m.named});
  };
  if (missing.size() == 1)
    return {missing[0].named.empty() ? InputError(N_("parameter %s is missing"), {missing[0].name})
                                     : InputError(N_("parameter %s (named %s by the lesson) is missing"),
                                                  {missing[0].name, missing[0].named})};
  if (missing.empty()) return {};
  std::vector<InputError> items;
  for (const Missing& m : missing) items.push_back(item(m));
  return {several(N_("%s parameters are missing: "), items.size(), items)};
}

// "<file>: " and the problems, wrong shapes first (the rest often follows from them), then
// tensors that are not parameters, missing parameters, other problems, each after "; "; then
// each hint after ". Hint: ".
InputError misfit_error(const Fit& f, const std::string& origin) {
  std::vector<InputError> problems = misshapen_sentences(f.misshapen);
  if (f.extra.size() == 1)
    problems.push_back(InputError(N_("tensor %s is not a parameter of this model"), {f.extra[0]}));
  if (f.extra.size() > 1)
    problems.push_back(
        several(N_("%s tensors are not parameters of this model: "), f.extra.size(), plain_items(f.extra)));
  for (InputError& e : missing_sentences(f.missing)) problems.push_back(std::move(e));
  problems.insert(problems.end(), f.other.begin(), f.other.end());
  std::vector<InputError::Part> parts;
  for (std::size_t i = 0; i < problems.size(); ++i) parts.push_back({i ? N_("; ") : "", problems[i]});
  for (const InputError& hint : f.hints) parts.push_back({N_(". Hint: "), hint});
  return followed(plain(origin + ": "), parts);
}

}  // namespace

void load_parameters(Parameters& params, const std::vector<FileTensor>& tensors, const std::string& origin,
                     const std::map<std::string, std::string>& weight_names) {
  std::vector<InputError> problems;
  const std::vector<NamedTensor> named = parameter_names(tensors, weight_names, problems);
  Fit f = fit(params, named, weight_names);
  f.other.insert(f.other.begin(), problems.begin(), problems.end());
  if (!f.empty()) {
    suggest(params, f);
    throw misfit_error(f, origin);
  }
  for (int i = 0; i < params.size(); ++i) {  // every check passed: copy
    const FileTensor& t = f.match[static_cast<std::size_t>(i)]->tensor;
    std::copy(t.values.begin(), t.values.end(), params[i].value.data());
  }
}

void read_weights(const std::string& path, Parameters& params, const std::map<std::string, std::string>& weight_names) {
  // F64 values of every parameter, a header of a few hundred bytes per tensor, and metadata.
  const std::uint64_t most = 8 + (1u << 20) + 1024 * std::uint64_t(params.size()) + 8 * params.scalar_count();
  const std::string origin = printable(path, 200);
  load_parameters(params, parse_safetensors(read_file(path, most), origin), origin, weight_names);
}

void write_weights(const std::string& path, const Parameters& params, DType dtype) {
  write_file_atomically(path, serialize_safetensors(params, dtype));
}

}  // namespace attnviz::io

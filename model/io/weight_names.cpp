#include "model/io/weight_names.h"

#include "model/quote.h"
#include "model/translatable.h"

#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace attnviz::io {

namespace {

constexpr std::string_view stack_starts[] = {"encoder.layers.", "decoder.layers.", "encoder.norm.", "decoder.norm."};

// Where nn.Transformer's part of `name` begins: the first stack start at the beginning of the
// name or after a '.'.
std::optional<std::size_t> transformer_start(const std::string& name) {
  std::optional<std::size_t> best;
  for (std::string_view start : stack_starts)
    for (std::size_t at = name.find(start); at != std::string::npos; at = name.find(start, at + 1))
      if (at == 0 || name[at - 1] == '.') {
        if (!best || at < *best) best = at;
        break;
      }
  return best;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// nn.Transformer's name within a layer (after "encoder.layers.i."), as attnviz names it; the
// packed in_proj tensors are split by the caller.
std::string layer_part(std::string rest) {
  if (starts_with(rest, "multihead_attn.")) rest = "cross_attn." + rest.substr(15);
  if (starts_with(rest, "linear1.") || starts_with(rest, "linear2.")) return "ffn." + rest;
  for (const char* attn : {"self_attn.", "cross_attn."}) {
    if (!starts_with(rest, attn)) continue;
    const std::string a = attn, tail = rest.substr(a.size());
    if (tail == "out_proj.weight") return a + "o_proj.weight";
    if (tail == "out_proj.bias") return a + "o_proj.bias";
    for (const char* p : {"q", "k", "v"})
      if (tail == std::string(p) + "_proj_weight") return a + p + "_proj.weight";
  }
  return rest;
}

// Rows [part·n, (part+1)·n) of a tensor whose first dimension is 3n.
FileTensor third(const FileTensor& t, int part, const std::string& name) {
  FileTensor out;
  out.name = name;
  out.dtype = t.dtype;
  out.shape = t.shape;
  out.shape[0] /= 3;
  const std::size_t n = t.values.size() / 3;
  out.values.assign(t.values.begin() + static_cast<std::ptrdiff_t>(part * n),
                    t.values.begin() + static_cast<std::ptrdiff_t>((part + 1) * n));
  return out;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size() && i < 8; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() > 8 ? ", …]" : "]");
}

}  // namespace

std::vector<NamedTensor> parameter_names(const std::vector<FileTensor>& tensors,
                                         const std::map<std::string, std::string>& weight_names,
                                         std::vector<InputError>& problems) {
  std::map<std::string, std::string> parameter_of;  // file name → parameter, from the lesson
  for (const auto& [parameter, file_name] : weight_names) parameter_of.emplace(file_name, parameter);

  // The one prefix under which nn.Transformer's tensors sit.
  std::set<std::string> prefixes;
  for (const FileTensor& t : tensors)
    if (!parameter_of.contains(t.name))
      if (const std::optional<std::size_t> at = transformer_start(t.name)) prefixes.insert(t.name.substr(0, *at));
  std::optional<std::string> prefix;
  if (prefixes.size() == 1) prefix = *prefixes.begin();
  if (prefixes.size() > 1) {
    std::string list;
    for (const std::string& p : prefixes) list += (list.empty() ? "" : ", ") + quote(p);
    problems.push_back(InputError(N_("the file holds the layers of more than one model, under %s: keep one"), {list}));
  }

  std::vector<NamedTensor> out;
  for (const FileTensor& t : tensors) {
    const auto named = [&](FileTensor tensor, int parts = 1) {
      out.push_back(NamedTensor{std::move(tensor), t.name, t.shape, parts});
    };
    if (const auto it = parameter_of.find(t.name); it != parameter_of.end()) {
      FileTensor renamed = t;
      renamed.name = it->second;
      named(std::move(renamed));
      continue;
    }
    if (!prefix || !starts_with(t.name, *prefix) || !transformer_start(t.name)) {
      named(t);
      continue;
    }
    std::string name = t.name.substr(prefix->size());  // "encoder.layers.0.self_attn.in_proj_weight"
    for (const char* stack : {"encoder.layers.", "decoder.layers."}) {
      if (!starts_with(name, stack)) continue;
      const std::size_t dot = name.find('.', std::string_view(stack).size());
      if (dot == std::string::npos) break;
      name = name.substr(0, dot + 1) + layer_part(name.substr(dot + 1));
    }
    for (const char* kind : {"weight", "bias"}) {
      const std::string packed = std::string("_attn.in_proj_") + kind;
      if (name.size() < packed.size() || name.compare(name.size() - packed.size(), packed.size(), packed) != 0)
        continue;
      if (t.shape.empty() || t.shape[0] % 3 != 0) {
        problems.push_back(InputError(N_("%s has shape %s: packed Q, K and V need a first dimension divisible by 3"),
                                      {quote(t.name, 80), shape_text(t.shape)}));
        name.clear();
        break;
      }
      const std::string base =
          name.substr(0, name.size() - std::string_view("in_proj_").size() - std::string_view(kind).size());
      for (int part = 0; part < 3; ++part) named(third(t, part, base + "qkv"[part] + "_proj." + kind), 3);
      name.clear();
    }
    if (!name.empty()) {
      FileTensor renamed = t;
      renamed.name = std::move(name);
      named(std::move(renamed));
    }
  }
  return out;
}

}  // namespace attnviz::io

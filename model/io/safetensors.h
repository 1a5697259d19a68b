#pragma once
// Weights as safetensors files, read and written with PyTorch's names and layouts:
//
//   [u64 little-endian N] [N bytes of JSON header, space-padded] [tensor data, back to back]
//   header: {"name": {"dtype": "F32"|"F64", "shape": [..], "data_offsets": [begin, end]}, …,
//            "__metadata__": {"key": "text", …} (optional)}
//
// Parameter shapes as PyTorch has them: a bias or a LayerNorm weight/bias is 1-D [d] (the
// engine keeps it as a (1, d) row); an nn.Linear weight is [out, in]; an embedding is [V, d].

#include "model/parameters.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace attnviz::io {

enum class DType { f32, f64 };

struct FileTensor {
  std::string name;
  DType dtype = DType::f64;
  std::vector<std::int64_t> shape;
  std::vector<double> values;  // row-major
};

// The PyTorch shape of an engine parameter.
std::vector<std::int64_t> pytorch_shape(const Tensor& parameter);

// Parses a whole file's bytes.  Throws InputError starting with `origin` for: a file shorter
// than 8 bytes, a header length over 100 MB or past the end of the file, a header that is not
// UTF-8 JSON starting with '{', a duplicate name, an unknown dtype, a shape whose byte size
// overflows or does not match its offsets, offsets that are not contiguous from 0 or overlap,
// trailing bytes after the last tensor, and non-finite values.
std::vector<FileTensor> parse_safetensors(std::string_view bytes, const std::string& origin);

// The file's bytes for every parameter, in parameter order.
std::string serialize_safetensors(const Parameters& params, DType dtype);

// Copies the tensors into `params`, all or nothing, under the names model/io/weight_names.h
// gives them (nn.Transformer's own names are read as they are; `weight_names` maps a parameter
// to the file's name for it).  Throws one InputError starting with `origin` that names every
// parameter missing from the file, every tensor that is not a parameter and every wrong shape
// (with both shapes), and suggests a fix where the names look like a PyTorch model's.
void load_parameters(Parameters& params, const std::vector<FileTensor>& tensors, const std::string& origin,
                     const std::map<std::string, std::string>& weight_names = {});

inline constexpr std::uint64_t max_weights_bytes = 8'000'000'000;  // any model the limits allow

// read_file + parse_safetensors + load_parameters.
void read_weights(const std::string& path, Parameters& params,
                  const std::map<std::string, std::string>& weight_names = {});
// serialize_safetensors, written through a temporary file and a rename.
void write_weights(const std::string& path, const Parameters& params, DType dtype);

}  // namespace attnviz::io

#pragma once
// The tensors of a weights file under the names of attnviz's parameters.
//
//   1. The lesson's weight_names (parameter → name in the file), for the tensors a PyTorch
//      model names after its own modules: "src_embed.weight" ← "src_tok_emb.embedding.weight".
//   2. nn.Transformer's own names, under any one prefix P (what comes before "encoder.layers.",
//      "decoder.layers.", "encoder.norm." or "decoder.norm."; "transformer." in a tutorial model):
//        P{encoder,decoder}.layers.i.self_attn.in_proj_weight [3d, d]
//                                 → self_attn.{q,k,v}_proj.weight, rows [0, d), [d, 2d), [2d, 3d)
//        ….in_proj_bias [3d]      → {q,k,v}_proj.bias, likewise
//        ….q_proj_weight (k, v)   → q_proj.weight   (nn.MultiheadAttention with kdim/vdim set)
//        ….out_proj.{weight,bias} → o_proj.…
//        P decoder.layers.i.multihead_attn.… → cross_attn.…
//        ….linear1.…, ….linear2.… → ffn.linear1.…, ffn.linear2.…
//        norm1, norm2, norm3, encoder.norm, decoder.norm: as they are
//      (attnviz's own names pass through unchanged: they are nn.Transformer's with P empty).
//   3. Any other name as it is.

#include "model/error.h"
#include "model/io/safetensors.h"

#include <map>
#include <string>
#include <vector>

namespace attnviz::io {

struct NamedTensor {
  FileTensor tensor;   // under the parameter's name, with its part of the values
  std::string source;  // the name in the file
  std::vector<std::int64_t> source_shape;
  int parts = 1;  // 3 for a third of a packed in_proj tensor
};

// The file's tensors under parameter names (see above).  Problems that are not about one
// parameter (a packed tensor whose rows are not a multiple of 3, two prefixes) are appended
// to `problems`.
std::vector<NamedTensor> parameter_names(const std::vector<FileTensor>& tensors,
                                         const std::map<std::string, std::string>& weight_names,
                                         std::vector<InputError>& problems);

}  // namespace attnviz::io

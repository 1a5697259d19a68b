#!/usr/bin/python3
"""Open your own PyTorch nn.Transformer in attnviz, exactly: one call at the end of a training script.

    import attnviz_export
    attnviz_export.export(transformer=model.transformer,
                          src_embed=model.src_tok_emb.embedding, tgt_embed=model.tgt_tok_emb.embedding,
                          generator=model.generator, src_vocab=src_itos, tgt_vocab=tgt_itos,
                          example=("3 1 4 1 5", "5 1 4 1 3"), out="my-model.json",
                          specials={"unk": "<unk>", "pad": "<pad>", "bos": "<bos>", "eos": "<eos>"},
                          wrap_source=True)

writes my-model.json, an attnviz lesson (the config read from the modules, the vocabularies in
your own order, the example), and my-model.safetensors beside it, and records PyTorch's own loss
and logits on the example in the lesson ("reference"), computed in float64 on the weights as
written. attnviz checks them when it opens the lesson: a model it would compute differently is
refused (command line) or shown with a red warning (window), never silently shown.

Read from the modules: heads, layers, d_ff, LayerNorm eps, activation (ReLU or exact GELU),
norm_first, whether each stack ends in a LayerNorm. Given as arguments, with the PyTorch
tutorial's defaults: positional="interleaved" (sin in even columns, cos in odd; "concatenated",
"none", or your positional module or its table, which is then checked to be one of these),
scale_embedding=True (embedding × √d_model). Refused, with the reason: learned positional
embeddings, RMSNorm or LayerNorm without weights, attention other than nn.MultiheadAttention
(relative positions, bias_k/bias_v, add_zero_attn, kdim ≠ vdim), activations other than ReLU and
GELU, an embedding with max_norm.

As a command, for a model saved whole with torch.save(model, "model.pt") (run it where the
model's classes can be imported):

    python3 scripts/attnviz_export.py model.pt --out my-model.json \\
        --src-vocab src.txt --tgt-vocab tgt.txt --example "3 1 4 1 5" "5 1 4 1 3" --wrap-source

(vocabulary files: one word per line, or a JSON list; module paths default to the tutorial's
Seq2SeqTransformer: --transformer transformer --src-embed src_tok_emb.embedding
--tgt-embed tgt_tok_emb.embedding --generator generator --positional positional_encoding).

Needs nothing beyond Debian's python3-torch.
"""
import argparse
import copy
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

TORCHTEXT_SPECIALS = {"unk": "<unk>", "pad": "<pad>", "bos": "<bos>", "eos": "<eos>"}


class ExportError(Exception):
    """The model or an argument cannot be shown exactly; the message says why."""


# ---- reading the model ---------------------------------------------------------------------


def _activation(layer):
    f = layer.activation
    if f is F.relu or isinstance(f, nn.ReLU):
        return "relu"
    if f is F.gelu or (isinstance(f, nn.GELU) and f.approximate == "none"):
        return "gelu"
    raise ExportError(f"activation {f!r}: attnviz runs ReLU and exact (erf) GELU only")


def _check_attention(attn, where):
    if not isinstance(attn, nn.MultiheadAttention):
        raise ExportError(f"{where}: {type(attn).__name__} is not nn.MultiheadAttention (relative or other attention "
                          "computes another function than attnviz's scaled dot-product attention)")
    if not attn._qkv_same_embed_dim:
        raise ExportError(f"{where}: kdim or vdim differs from embed_dim; attnviz's attention reads d_model features")
    if attn.bias_k is not None or attn.bias_v is not None or attn.add_zero_attn:
        raise ExportError(f"{where}: add_bias_kv or add_zero_attn adds keys attnviz does not have")
    if attn.in_proj_bias is None or attn.out_proj.bias is None:
        raise ExportError(f"{where}: attention without biases; attnviz's projections have them")


def _check_norm(norm, where):
    if not isinstance(norm, nn.LayerNorm):
        raise ExportError(f"{where}: {type(norm).__name__} is not nn.LayerNorm (RMSNorm and others compute another "
                          "function: attnviz's LayerNorm subtracts the mean)")
    if not norm.elementwise_affine or norm.weight is None or norm.bias is None:
        raise ExportError(f"{where}: a LayerNorm without weight and bias; attnviz's has both")
    return norm.eps


def describe(transformer, src_embed, tgt_embed, generator):
    """The attnviz config of the modules (a dict), or ExportError saying what attnviz cannot run."""
    if not isinstance(transformer, nn.Transformer):
        raise ExportError(f"transformer: {type(transformer).__name__} is not nn.Transformer")
    enc, dec = transformer.encoder, transformer.decoder
    if not enc.layers or not dec.layers:
        raise ExportError("transformer: a stack without layers")
    first = enc.layers[0]
    d_model = first.self_attn.embed_dim
    settings = set()
    eps = set()
    for stack, layers, kind in (("encoder", enc.layers, nn.TransformerEncoderLayer),
                                ("decoder", dec.layers, nn.TransformerDecoderLayer)):
        for i, layer in enumerate(layers):
            where = f"transformer.{stack}.layers.{i}"
            if not isinstance(layer, kind):
                raise ExportError(f"{where}: {type(layer).__name__} is not nn.{kind.__name__}")
            attentions = [("self_attn", layer.self_attn)] + ([("multihead_attn", layer.multihead_attn)] if stack == "decoder" else [])
            for name, attn in attentions:
                _check_attention(attn, f"{where}.{name}")
            norms = ["norm1", "norm2"] + (["norm3"] if stack == "decoder" else [])
            eps.update(_check_norm(getattr(layer, n), f"{where}.{n}") for n in norms)
            if layer.linear1.bias is None or layer.linear2.bias is None:
                raise ExportError(f"{where}: a feed-forward layer without bias; attnviz's has them")
            settings.add((layer.self_attn.num_heads, layer.linear1.out_features, layer.norm_first, _activation(layer)))
    if len(settings) != 1:
        raise ExportError(f"transformer: layers differ in heads, dim_feedforward, norm_first or activation: {sorted(settings)}")
    heads, d_ff, norm_first, activation = settings.pop()
    final = [enc.norm is not None, dec.norm is not None]
    if final[0] != final[1]:
        raise ExportError("transformer: one stack ends in a LayerNorm and the other not; attnviz has both or neither")
    if norm_first and not final[0]:
        raise ExportError("transformer: pre-norm without a final LayerNorm; attnviz's pre-norm closes each stack with one")
    if final[0]:
        eps.add(_check_norm(enc.norm, "transformer.encoder.norm"))
        eps.add(_check_norm(dec.norm, "transformer.decoder.norm"))
    if len(eps) != 1:
        raise ExportError(f"transformer: LayerNorms with different eps {sorted(eps)}; attnviz has one layer_norm_eps")
    for name, embed in (("src_embed", src_embed), ("tgt_embed", tgt_embed)):
        if not isinstance(embed, nn.Embedding):
            raise ExportError(f"{name}: {type(embed).__name__} is not nn.Embedding")
        if embed.embedding_dim != d_model:
            raise ExportError(f"{name}: embedding_dim {embed.embedding_dim}, the transformer's d_model {d_model}")
        if embed.max_norm is not None:
            raise ExportError(f"{name}: max_norm rescales rows as they are looked up; attnviz does not")
    if not isinstance(generator, nn.Linear) or generator.in_features != d_model:
        raise ExportError(f"generator: expected nn.Linear({d_model}, target vocabulary)")
    if generator.out_features != tgt_embed.num_embeddings:
        raise ExportError(f"generator: {generator.out_features} outputs, the target embedding {tgt_embed.num_embeddings} words")
    return {
        "d_model": d_model, "heads": heads, "encoder_layers": len(enc.layers), "decoder_layers": len(dec.layers),
        "d_ff": d_ff, "activation": activation, "norm": "pre" if norm_first else "post", "final_norm": final[0],
        "ln_eps": eps.pop(),
    }


def sinusoidal(max_len, d_model, layout="interleaved", dtype=torch.float64):
    """PE (max_len, d_model): sin(p·ωᵢ) and cos(p·ωᵢ), ωᵢ = 10000^(−2i/d), as the tutorial computes it;
    interleaved puts them in columns 2i and 2i+1, concatenated in i and d/2 + i."""
    den = torch.exp(-torch.arange(0, d_model, 2, dtype=dtype) * math.log(10000) / d_model)
    pos = torch.arange(0, max_len, dtype=dtype).reshape(max_len, 1)
    pe = torch.zeros((max_len, d_model), dtype=dtype)
    if layout == "interleaved":
        pe[:, 0::2] = torch.sin(pos * den)
        pe[:, 1::2] = torch.cos(pos * den)
    else:
        pe[:, : d_model // 2] = torch.sin(pos * den)
        pe[:, d_model // 2:] = torch.cos(pos * den)
    return pe


def positional_layout(positional, d_model, max_len):
    """'interleaved', 'concatenated' or 'none': as given, or the layout a positional module's table
    (or a table) has in its first max_len rows, to float32's rounding of sin(p·ω) (1e-4 for p below
    a few hundred); ExportError for a learned or other table."""
    if isinstance(positional, str):
        if positional not in ("interleaved", "concatenated", "none"):
            raise ExportError(f"positional={positional!r}: expected interleaved, concatenated, none or your positional module")
        return positional
    table = positional
    if isinstance(positional, nn.Module):
        learned = [n for n, p in positional.named_parameters()]
        if learned:
            raise ExportError(f"positional: {type(positional).__name__} has learned parameters {learned}: attnviz's "
                              "positional encodings are fixed sinusoids, so learned positional embeddings cannot be shown")
        tables = [b for _, b in positional.named_buffers() if b.shape[-1] == d_model]
        if len(tables) != 1:
            raise ExportError(f"positional: {type(positional).__name__} has no single buffer of {d_model} columns")
        table = tables[0]
    if isinstance(table, nn.Parameter):
        raise ExportError("positional: a learned table (nn.Parameter): attnviz's positional encodings are fixed sinusoids")
    table = table.detach().to(torch.float64).reshape(-1, d_model)[:max_len]
    for layout in ("interleaved", "concatenated"):
        if torch.allclose(table, sinusoidal(table.shape[0], d_model, layout), rtol=0, atol=1e-4):
            return layout
    raise ExportError("positional: the table is neither interleaved nor concatenated sin/cos of 10000^(−2i/d) "
                      "(learned or another encoding): attnviz cannot show it exactly")


# ---- the example, and PyTorch's answer on it ------------------------------------------------


def itos(vocab):
    """A vocabulary as its list of words, id = position: a list, or torchtext's Vocab (get_itos())."""
    words = vocab.get_itos() if hasattr(vocab, "get_itos") else list(vocab)
    if not all(isinstance(w, str) and w for w in words):
        raise ExportError("a vocabulary must be a list of non-empty words (id = position) or have get_itos()")
    return words


def special_ids(words, specials, side):
    index = {w: i for i, w in enumerate(words)}
    if len(index) != len(words):
        raise ExportError(f"{side} vocabulary: a word appears twice, so its id is ambiguous")
    ids = {}
    for role in ("pad", "bos", "eos", "unk"):
        if role not in specials:
            if role == "unk":
                continue
            raise ExportError(f"specials: name the {role} word, e.g. specials={TORCHTEXT_SPECIALS}")
        if specials[role] not in index:
            raise ExportError(f"specials: {role} = {specials[role]!r} is not in the {side} vocabulary")
        ids[role] = index[specials[role]]
    return ids


def encode(sentence, words, side):
    index = {w: i for i, w in enumerate(words)}
    tokens = sentence.split() if isinstance(sentence, str) else list(sentence)
    unknown = [w for w in tokens if w not in index]
    if unknown:
        raise ExportError(f"example: {side} word {unknown[0]!r} is not in the {side} vocabulary")
    if not tokens:
        raise ExportError(f"example: the {side} sentence is empty")
    return [index[w] for w in tokens]


def example_ids(example, src_words, tgt_words, specials, wrap_source):
    """src (wrapped in <bos> … <eos> if asked), tgt_in = <bos> + target, tgt_out = target + <eos>."""
    s, t = special_ids(src_words, specials, "source"), special_ids(tgt_words, specials, "target")
    if s["pad"] != t["pad"]:
        raise ExportError("specials: pad has different ids in the two vocabularies; attnviz uses one padding id")
    src, tgt = encode(example[0], src_words, "source"), encode(example[1], tgt_words, "target")
    if tgt[0] == t["bos"] or tgt[-1] == t["eos"]:
        raise ExportError("example: give the target without <bos> and <eos>; teacher forcing adds them")
    if wrap_source:
        if src[0] == s["bos"] or src[-1] == s["eos"]:
            raise ExportError("example: give the source without <bos> and <eos>; wrap_source adds them")
        src = [s["bos"]] + src + [s["eos"]]
    return src, [t["bos"]] + tgt, tgt + [t["eos"]]


def logits_of(transformer, src_embed, tgt_embed, generator, src, tgt_in, layout="interleaved", scale_embedding=True):
    """Logits (T_tgt, V) of one example as attnviz computes them, with these modules as they are:
    x = E[ids]·√d (if scale_embedding) + PE, nn.Transformer with a causal target mask, the generator."""
    d = src_embed.embedding_dim
    dtype = src_embed.weight.dtype
    pe = sinusoidal(max(len(src), len(tgt_in)), d, layout, dtype) if layout != "none" else None

    def embed(module, ids):
        x = module(torch.tensor(ids, dtype=torch.long))
        if scale_embedding:
            x = x * math.sqrt(d)
        return x + pe[: len(ids)] if pe is not None else x

    batch = 0 if transformer.batch_first else 1
    x, y = embed(src_embed, src).unsqueeze(batch), embed(tgt_embed, tgt_in).unsqueeze(batch)
    causal = torch.triu(torch.ones(len(tgt_in), len(tgt_in), dtype=torch.bool), diagonal=1)
    with torch.enable_grad():  # no fast path: the layers' own Python forward, op by op
        out = transformer(x, y, tgt_mask=causal)
    return generator(out.squeeze(batch))


def reference(transformer, src_embed, tgt_embed, generator, src, tgt_in, tgt_out, layout="interleaved",
              scale_embedding=True):
    """PyTorch's loss and logits on the example, in float64, on copies of the modules in eval mode."""
    copies = [copy.deepcopy(m).to(torch.float64).eval() for m in (transformer, src_embed, tgt_embed, generator)]
    for m in copies:
        m.requires_grad_(True)
    logits = logits_of(*copies, src, tgt_in, layout, scale_embedding)
    loss = F.cross_entropy(logits, torch.tensor(tgt_out, dtype=torch.long))
    return loss.item(), logits.detach().tolist()


# ---- files ---------------------------------------------------------------------------------


def write_safetensors(tensors, path):
    """tensors: name → tensor.  float64 stays F64, other floating types are written as F32 (float16
    and bfloat16 exactly).  8-byte little-endian header length, the JSON header (space-padded so the
    data starts 8-byte aligned), then each tensor's values, row-major, back to back."""
    header, chunks, offset = {}, [], 0
    for name, tensor in tensors.items():
        t = tensor.detach().cpu().contiguous()
        if not t.is_floating_point():
            raise ExportError(f"{name}: dtype {t.dtype} is not a floating-point type")
        t = t.to(torch.float64 if t.dtype == torch.float64 else torch.float32)
        values = t.flatten().tolist()
        if not all(math.isfinite(v) for v in values):
            raise ExportError(f"{name}: has NaN or infinite values")
        code, letter = ("F64", "d") if t.dtype == torch.float64 else ("F32", "f")
        data = struct.pack(f"<{len(values)}{letter}", *values)
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    _replace(path, struct.pack("<Q", len(text)) + text + b"".join(chunks))


def _replace(path, data):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as out:
        out.write(data)
    os.replace(tmp, path)


def _names(model, modules):
    """name → tensor for the weights file: the names `model` gives them when it is given (so the
    file reads like your own state_dict), else transformer.* (nn.Transformer's names),
    src_embed.weight, tgt_embed.weight, generator.weight and .bias."""
    transformer, src_embed, tgt_embed, generator = modules
    own = {id(p): n for n, p in model.named_parameters()} if model is not None else {}
    tensors = {}
    for n, p in transformer.named_parameters():
        tensors[own.get(id(p), "transformer." + n)] = p
    tensors[own.get(id(src_embed.weight), "src_embed.weight")] = src_embed.weight
    tensors[own.get(id(tgt_embed.weight), "tgt_embed.weight")] = tgt_embed.weight
    tensors[own.get(id(generator.weight), "generator.weight")] = generator.weight
    bias = generator.bias if generator.bias is not None else torch.zeros(generator.out_features, dtype=generator.weight.dtype)
    tensors[own.get(id(generator.bias), "generator.bias") if generator.bias is not None else "generator.bias"] = bias
    weight_names = {}
    for ours, tensor in (("src_embed.weight", src_embed.weight), ("tgt_embed.weight", tgt_embed.weight),
                         ("generator.weight", generator.weight), ("generator.bias", generator.bias)):
        if tensor is not None and own.get(id(tensor), ours) != ours:
            weight_names[ours] = own[id(tensor)]
    return tensors, weight_names


def export(transformer, src_embed, tgt_embed, generator, src_vocab, tgt_vocab, example, out,
           specials=None, wrap_source=False, positional="interleaved", scale_embedding=True, max_len=64,
           title=None, description=None, pairs=None, model=None):
    """Writes the lesson `out` (.json) and its weights beside it (.safetensors); returns the lesson
    (a dict).  `example` is (source, target) without <bos>/<eos>; `pairs` (optional) makes the
    lesson trainable in attnviz too; `model` (optional) names the tensors as your state_dict does.
    Raises ExportError when attnviz could not show this model exactly."""
    if not out.endswith(".json"):
        raise ExportError(f"out={out!r}: name the lesson file, ending in .json")
    modules = (transformer, src_embed, tgt_embed, generator)
    config = describe(*modules)
    layout = positional_layout(positional, config["d_model"], max_len)
    specials = dict(TORCHTEXT_SPECIALS if specials is None else specials)
    src_words, tgt_words = itos(src_vocab), itos(tgt_vocab)
    if len(src_words) != src_embed.num_embeddings or len(tgt_words) != tgt_embed.num_embeddings:
        raise ExportError(f"vocabularies of {len(src_words)} and {len(tgt_words)} words, embeddings of "
                          f"{src_embed.num_embeddings} and {tgt_embed.num_embeddings}")
    src, tgt_in, tgt_out = example_ids(example, src_words, tgt_words, specials, wrap_source)
    if max(len(src), len(tgt_in)) > max_len:
        raise ExportError(f"example: {max(len(src), len(tgt_in))} tokens, over max_len={max_len}")
    loss, logits = reference(*modules, src, tgt_in, tgt_out, layout, scale_embedding)

    weights = os.path.splitext(out)[0] + ".safetensors"
    tensors, weight_names = _names(model, modules)
    config.update({"positional": layout, "scale_embedding": bool(scale_embedding), "max_len": int(max_len)})
    sentence = lambda s: s if isinstance(s, str) else " ".join(s)
    lesson = {
        "format": "attnviz-lesson", "version": 1,
        "title": title or os.path.splitext(os.path.basename(out))[0],
        "description": description or (
            f"A PyTorch nn.Transformer ({config['encoder_layers']} + {config['decoder_layers']} layers, d_model "
            f"{config['d_model']}, {config['heads']} heads, {config['norm']}-norm, {config['activation']}) "
            f"exported by scripts/attnviz_export.py"),
        "config": config,
        "vocabulary": {"source": src_words, "target": tgt_words},
        "specials": {role: specials[role] for role in ("pad", "bos", "eos", "unk") if role in specials},
        "wrap_source": bool(wrap_source),
        "example": {"src": sentence(example[0]), "tgt": sentence(example[1])},
        "weights": os.path.basename(weights),
        "reference": {"loss": loss, "logits": logits, "by": f"PyTorch {torch.__version__}, float64"},
    }
    if weight_names:
        lesson["weight_names"] = weight_names
    if pairs:
        lesson["task"] = {"pairs": [[sentence(s), sentence(t)] for s, t in pairs]}
    write_safetensors(tensors, weights)
    _replace(out, (json.dumps(lesson, indent=1, ensure_ascii=False) + "\n").encode("utf-8"))
    return lesson


# ---- command -------------------------------------------------------------------------------


def _module(model, path):
    m = model
    for part in path.split("."):
        if not hasattr(m, part):
            raise ExportError(f"the model has no {path!r} (no {part!r} in {type(m).__name__})")
        m = getattr(m, part)
    return m


def _read_vocab(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text) if text.lstrip().startswith("[") else [line for line in text.splitlines() if line.strip()]


def main(argv):
    p = argparse.ArgumentParser(description="Export a PyTorch nn.Transformer as an attnviz lesson and weights.")
    p.add_argument("model", help="a model saved with torch.save(model, path)")
    p.add_argument("--out", required=True, help="the lesson file to write (.json); the weights go beside it")
    p.add_argument("--src-vocab", required=True, help="source words, one per line (or a JSON list), id = line")
    p.add_argument("--tgt-vocab", required=True, help="target words, likewise")
    p.add_argument("--example", nargs=2, required=True, metavar=("SOURCE", "TARGET"))
    p.add_argument("--transformer", default="transformer")
    p.add_argument("--src-embed", default="src_tok_emb.embedding")
    p.add_argument("--tgt-embed", default="tgt_tok_emb.embedding")
    p.add_argument("--generator", default="generator")
    p.add_argument("--positional", default="positional_encoding",
                   help="interleaved, concatenated, none, or the path of the model's positional module")
    p.add_argument("--no-scale-embedding", action="store_true")
    p.add_argument("--specials", default="unk=<unk>,pad=<pad>,bos=<bos>,eos=<eos>")
    p.add_argument("--wrap-source", action="store_true", help="sources are wrapped in <bos> … <eos>")
    p.add_argument("--max-len", type=int, default=64)
    a = p.parse_args(argv)
    sys.path.insert(0, os.getcwd())  # the model's classes, from the folder of the training script
    try:
        model = torch.load(a.model, map_location="cpu")
        if not isinstance(model, nn.Module):
            raise ExportError(f"{a.model}: not a whole model (torch.save(model, path)); from a state_dict, call export() instead")
        positional = a.positional if a.positional in ("interleaved", "concatenated", "none") else _module(model, a.positional)
        specials = dict(item.split("=", 1) for item in a.specials.split(","))
        lesson = export(_module(model, a.transformer), _module(model, a.src_embed), _module(model, a.tgt_embed),
                        _module(model, a.generator), _read_vocab(a.src_vocab), _read_vocab(a.tgt_vocab), a.example,
                        a.out, specials=specials, wrap_source=a.wrap_source, positional=positional,
                        scale_embedding=not a.no_scale_embedding, max_len=a.max_len, model=model)
    except ExportError as e:
        print(f"attnviz_export: {e}", file=sys.stderr)
        return 1
    print(f"wrote {a.out} and {lesson['weights']}: PyTorch's loss on the example {lesson['reference']['loss']:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env python3
"""attnviz's model in PyTorch, float64: forward + backward timed, for `attnviz bench model`.

    python3 bench_pytorch.py [--preset lesson|small|base] [--seconds S] [--threads N] [--fresh-grads]
    python3 bench_pytorch.py --check LESSON.json

The presets are attnviz's (README.md, "Presets"): the same sizes, synthetic vocabularies and
sentences, post-norm, interleaved sinusoidal positions, embeddings × √d_model, scores / √d_k.
The timed run is the loss of one sentence pair and its backward (every parameter's gradient),
on N threads (default 1: PyTorch's and the BLAS library's); it prints the median and the
fastest run in ms.  The gradients' memory is kept from run to run and zeroed, as PyTorch 1.13's
`optimizer.zero_grad()` does, and as attnviz keeps its trace; with --fresh-grads each run frees
them first (`zero_grad(set_to_none=True)`, PyTorch 2's default), and pays for new memory.

--check computes a lesson's loss with its shipped weights, to compare with
`attnviz trace --lesson LESSON.json --print` (the last line, `loss …`): the same number says
this is the same model. Needs only Debian's python3-torch.
"""
import argparse
import json
import math
import os
import statistics
import struct
import sys
import time


def threads_asked(argv):
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_known_args(argv)[0].threads


# A BLAS library runs threads of its own, which torch.set_num_threads does not reach (OpenBLAS's
# pthread build starts one per core): their count is set before torch loads the library.
for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = str(threads_asked(sys.argv[1:]))

import torch  # noqa: E402 (after the threads are set)
from torch import nn  # noqa: E402

PAD, BOS, EOS, SPECIALS = 0, 1, 2, 4


class Config:
    def __init__(self, d_model, heads, layers, d_ff, src_vocab, tgt_vocab, max_len):
        self.d_model, self.heads, self.layers, self.d_ff = d_model, heads, layers, d_ff
        self.src_vocab, self.tgt_vocab, self.max_len = src_vocab, tgt_vocab, max_len


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c.heads
        self.q_proj, self.k_proj, self.v_proj, self.o_proj = (nn.Linear(c.d_model, c.d_model) for _ in range(4))

    # head_h = softmax(mask(Q_h K_hᵀ / √d_k)) V_h;  out = [head_0 | … ] W_Oᵀ + b_O
    def forward(self, x_q, x_kv, mask):
        T_q, T_k, d = x_q.shape[0], x_kv.shape[0], x_q.shape[1]
        d_k = d // self.heads
        q = self.q_proj(x_q).view(T_q, self.heads, d_k).transpose(0, 1)
        k = self.k_proj(x_kv).view(T_k, self.heads, d_k).transpose(0, 1)
        v = self.v_proj(x_kv).view(T_k, self.heads, d_k).transpose(0, 1)
        s = (q @ k.transpose(1, 2)) / math.sqrt(d_k)
        a = torch.softmax(s.masked_fill(mask == 0, float("-inf")), dim=-1)
        return self.o_proj((a @ v).transpose(0, 1).reshape(T_q, d))


class FeedForward(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.linear1, self.linear2 = nn.Linear(c.d_model, c.d_ff), nn.Linear(c.d_ff, c.d_model)

    def forward(self, x):
        return self.linear2(torch.relu(self.linear1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn, self.ffn = Attention(c), FeedForward(c)
        self.norm1, self.norm2 = nn.LayerNorm(c.d_model), nn.LayerNorm(c.d_model)

    def forward(self, x, mask):
        x = self.norm1(x + self.self_attn(x, x, mask))
        return self.norm2(x + self.ffn(x))


class DecoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn, self.cross_attn, self.ffn = Attention(c), Attention(c), FeedForward(c)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(c.d_model) for _ in range(3))

    def forward(self, y, memory, self_mask, cross_mask):
        y = self.norm1(y + self.self_attn(y, y, self_mask))
        y = self.norm2(y + self.cross_attn(y, memory, cross_mask))
        return self.norm3(y + self.ffn(y))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(c) for _ in range(c.layers))


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList(DecoderLayer(c) for _ in range(c.layers))


class Transformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.d_model = c.d_model
        self.src_embed, self.tgt_embed = nn.Embedding(c.src_vocab, c.d_model), nn.Embedding(c.tgt_vocab, c.d_model)
        self.encoder, self.decoder = Encoder(c), Decoder(c)
        self.generator = nn.Linear(c.d_model, c.tgt_vocab)
        # PE[p,2i] = sin(p·ωᵢ), PE[p,2i+1] = cos(p·ωᵢ), ωᵢ = 10000^(−2i/d)
        pe = torch.zeros(c.max_len, c.d_model, dtype=torch.float64)
        for i in range(c.d_model // 2):
            omega = 10000.0 ** (-2.0 * i / c.d_model)
            for p in range(c.max_len):
                pe[p, 2 * i], pe[p, 2 * i + 1] = math.sin(p * omega), math.cos(p * omega)
        self.register_buffer("pe", pe, persistent=False)

    def embed(self, table, ids):
        return table(ids) * math.sqrt(self.d_model) + self.pe[: ids.shape[0]]

    # Teacher-forced mean cross-entropy over the non-padding targets.
    def forward(self, src, tgt_in, tgt_out):
        src_keys = (src != PAD).to(torch.float64)
        tgt_keys = (tgt_in != PAD).to(torch.float64)
        T_s, T_t = src.shape[0], tgt_in.shape[0]
        enc_mask = src_keys.expand(T_s, T_s)
        dec_mask = tgt_keys.expand(T_t, T_t) * torch.tril(torch.ones(T_t, T_t, dtype=torch.float64))
        cross_mask = src_keys.expand(T_t, T_s)
        x = self.embed(self.src_embed, src)
        for layer in self.encoder.layers:
            x = layer(x, enc_mask)
        y = self.embed(self.tgt_embed, tgt_in)
        for layer in self.decoder.layers:
            y = layer(y, x, dec_mask, cross_mask)
        return nn.functional.cross_entropy(self.generator(y), tgt_out, ignore_index=PAD)


PRESETS = {  # d_model, heads, layers, d_ff, vocabulary, tokens
    "lesson": None,
    "small": (64, 4, 2, 256, 64, 10),
    "base": (512, 8, 6, 2048, 1000, 32),
}


def synthetic_ids(n, vocab, stride, offset):
    """attnviz's synthetic sentence w4, w7, … as ids (word wK has id K)."""
    return [SPECIALS + (offset + i * stride) % (vocab - SPECIALS) for i in range(n)]


def example(src, tgt):
    return (torch.tensor(src), torch.tensor([BOS] + tgt), torch.tensor(tgt + [EOS]))


def preset(name):
    if name == "lesson":
        lesson = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "lessons", "word-order.json")
        return lesson_model(lesson, load_weights=False)
    d, h, layers, d_ff, vocab, tokens = PRESETS[name]
    c = Config(d, h, layers, d_ff, vocab, vocab, tokens + 1)
    return Transformer(c).double(), example(synthetic_ids(tokens, vocab, 7, 0), synthetic_ids(tokens - 1, vocab, 5, 3))


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        data = f.read()
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        letter = {"F64": "d", "F32": "f"}[entry["dtype"]]
        begin, end = entry["data_offsets"]
        values = struct.unpack(f"<{(end - begin) // struct.calcsize(letter)}{letter}", data[begin:end])
        out[name] = torch.tensor(values, dtype=torch.float64).view(entry["shape"])
    return out


def lesson_model(path, load_weights=True):
    lesson = json.load(open(path, encoding="utf-8"))
    cfg, vocab = lesson["config"], lesson["vocabulary"]
    src_words, tgt_words = ["<pad>", "<bos>", "<eos>", "<unk>"] + vocab["source"], ["<pad>", "<bos>", "<eos>", "<unk>"] + vocab["target"]
    c = Config(cfg["d_model"], cfg["heads"], cfg["encoder_layers"], cfg["d_ff"], len(src_words), len(tgt_words), cfg["max_len"])
    model = Transformer(c).double()
    if load_weights:
        weights = read_safetensors(os.path.join(os.path.dirname(path), lesson["weights"]))
        model.load_state_dict({name: weights[name].view_as(p) for name, p in model.state_dict().items()})
    ex = lesson["example"]
    return model, example([src_words.index(w) for w in ex["src"].split()], [tgt_words.index(w) for w in ex["tgt"].split()])


def bench(model, ex, seconds, fresh_grads):
    def run():
        model.zero_grad(set_to_none=fresh_grads)
        model(*ex).backward()

    run()  # warm-up
    times, start = [], time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < seconds:
        t0 = time.perf_counter()
        run()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times), len(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--preset", default="base", choices=PRESETS)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--fresh-grads", action="store_true")
    parser.add_argument("--check", metavar="LESSON.json")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.check:
        model, ex = lesson_model(args.check)
        print(f"loss {model(*ex).item():.6g}")
        return
    model, ex = preset(args.preset)
    median, best, runs = bench(model, ex, args.seconds, args.fresh_grads)
    grads = "freed before each run" if args.fresh_grads else "kept and zeroed"
    print(f"{args.preset}: PyTorch {torch.__version__} float64, {args.threads} thread(s), gradients {grads}: "
          f"median {median:.3f} ms, min {best:.3f} ms over {runs} runs")


if __name__ == "__main__":
    main()

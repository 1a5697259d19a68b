#!/usr/bin/python3
"""PyTorch's own answer for tests/pytorch/: tutorial-style Seq2SeqTransformer models (random
weights, float64) written as attnviz lessons with their weights and PyTorch's gradients.

    /usr/bin/python3 tests/tools/make_pytorch_fixture.py [OUT_DIR]     (default tests/pytorch)

Each model is the PyTorch translation tutorial's: nn.Transformer(batch_first=True), TokenEmbedding
× √d_model, a sinusoidal PositionalEncoding buffer, an nn.Linear generator, torchtext's special
tokens (<unk>=0, <pad>=1, <bos>=2, <eos>=3) and sources wrapped in <bos> … <eos>. For each
variant it writes

    NAME.json              the lesson (scripts/attnviz_export.py), its "reference" replaced by the
                           tutorial model's own forward: loss and logits on the example
    NAME.safetensors       the weights under the model's own state_dict names (F64)
    NAME.grad.safetensors  ∂loss/∂θ of that forward, under the same names (F64)

The model test tests/model/test_pytorch_fixture.cpp compares attnviz's loss, logits and every
gradient with these to 1e-10. CI has no PyTorch: the files carry its answer. Needs Debian's
python3-torch; the same seed gives the same files.
"""
import json
import math
import os
import sys

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "scripts"))
import attnviz_export  # noqa: E402

WORDS = ["<unk>", "<pad>", "<bos>", "<eos>"] + [str(d) for d in range(10)]
UNK, PAD, BOS, EOS = 0, 1, 2, 3
EXAMPLE = ("3 1 4 1 5", "5 1 4 1 3")

# name → nn.Transformer arguments beyond the shared tiny size.
VARIANTS = {
    "post-final-norm": {},                    # nn.Transformer's default: post-norm, a LayerNorm after each stack
    "pre-norm": {"norm_first": True},
    "eps-1e-6": {"layer_norm_eps": 1e-6},
    "gelu": {"activation": "gelu"},
}


class PositionalEncoding(nn.Module):
    def __init__(self, emb_size, dropout, maxlen=64):
        super().__init__()
        den = torch.exp(-torch.arange(0, emb_size, 2) * math.log(10000) / emb_size)
        pos = torch.arange(0, maxlen).reshape(maxlen, 1)
        pos_embedding = torch.zeros((maxlen, emb_size))
        pos_embedding[:, 0::2] = torch.sin(pos * den)
        pos_embedding[:, 1::2] = torch.cos(pos * den)
        self.dropout = nn.Dropout(dropout)
        self.register_buffer("pos_embedding", pos_embedding.unsqueeze(0))  # (1, maxlen, d): batch first

    def forward(self, token_embedding):
        return self.dropout(token_embedding + self.pos_embedding[:, : token_embedding.size(1)])


class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size, emb_size):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, emb_size)
        self.emb_size = emb_size

    def forward(self, tokens):
        return self.embedding(tokens.long()) * math.sqrt(self.emb_size)


class Seq2SeqTransformer(nn.Module):
    def __init__(self, num_encoder_layers, num_decoder_layers, emb_size, nhead, src_vocab_size, tgt_vocab_size,
                 dim_feedforward, dropout=0.1, **transformer_args):
        super().__init__()
        self.transformer = nn.Transformer(d_model=emb_size, nhead=nhead, num_encoder_layers=num_encoder_layers,
                                          num_decoder_layers=num_decoder_layers, dim_feedforward=dim_feedforward,
                                          dropout=dropout, batch_first=True, **transformer_args)
        self.generator = nn.Linear(emb_size, tgt_vocab_size)
        self.src_tok_emb = TokenEmbedding(src_vocab_size, emb_size)
        self.tgt_tok_emb = TokenEmbedding(tgt_vocab_size, emb_size)
        self.positional_encoding = PositionalEncoding(emb_size, dropout=dropout)

    def forward(self, src, trg, src_mask, tgt_mask, src_padding_mask, tgt_padding_mask, memory_key_padding_mask):
        src_emb = self.positional_encoding(self.src_tok_emb(src))
        tgt_emb = self.positional_encoding(self.tgt_tok_emb(trg))
        outs = self.transformer(src_emb, tgt_emb, src_mask, tgt_mask, None, src_padding_mask, tgt_padding_mask,
                                memory_key_padding_mask)
        return self.generator(outs)


def randomise(model, generator):
    """Every parameter drawn from N(0, 0.5²), LayerNorm gains around 1: far from the initial values, so
    no gradient is zero by symmetry."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.copy_(torch.randn(p.shape, generator=generator, dtype=p.dtype) * 0.5)
            if "norm" in name and name.endswith("weight"):
                p.add_(1.0)


def tutorial_forward(model, src, tgt_in, tgt_out):
    """The tutorial's train step on one example without padding: masks as create_mask makes them."""
    src, tgt_in = torch.tensor([src]), torch.tensor([tgt_in])
    T = tgt_in.shape[1]
    tgt_mask = torch.triu(torch.full((T, T), float("-inf"), dtype=torch.float64), diagonal=1)
    src_mask = torch.zeros((src.shape[1], src.shape[1]), dtype=torch.bool)
    logits = model(src, tgt_in, src_mask, tgt_mask, src == PAD, tgt_in == PAD, src == PAD)[0]
    loss = nn.functional.cross_entropy(logits, torch.tensor(tgt_out), ignore_index=PAD)
    return loss, logits


def write_variant(out_dir, name, extra, seed):
    generator = torch.Generator().manual_seed(seed)
    model = Seq2SeqTransformer(2, 2, 4, 2, len(WORDS), len(WORDS), dim_feedforward=8, **extra)
    randomise(model, generator)
    model.eval()  # dropout off, as in attnviz's deterministic trace
    path = os.path.join(out_dir, name + ".json")
    lesson = attnviz_export.export(
        transformer=model.transformer, src_embed=model.src_tok_emb.embedding, tgt_embed=model.tgt_tok_emb.embedding,
        generator=model.generator, src_vocab=WORDS, tgt_vocab=WORDS, example=EXAMPLE, out=path,
        specials={"unk": "<unk>", "pad": "<pad>", "bos": "<bos>", "eos": "<eos>"}, wrap_source=True,
        positional=model.positional_encoding, max_len=16, model=model, title=f"PyTorch fixture: {name}",
        description=f"Tutorial-style Seq2SeqTransformer, random float64 weights, nn.Transformer arguments {extra}: "
                    "PyTorch's loss, logits and gradients, written by tests/tools/make_pytorch_fixture.py")

    src, tgt_in, tgt_out = attnviz_export.example_ids(EXAMPLE, WORDS, WORDS, attnviz_export.TORCHTEXT_SPECIALS, True)
    model.zero_grad()
    loss, logits = tutorial_forward(model, src, tgt_in, tgt_out)
    loss.backward()
    exported = lesson["reference"]
    if abs(exported["loss"] - loss.item()) > 1e-12 * abs(loss.item()):
        raise SystemExit(f"{name}: the exporter's loss {exported['loss']} is not the tutorial model's {loss.item()}")

    lesson["reference"] = {"loss": loss.item(), "logits": logits.detach().tolist(),
                           "by": f"PyTorch {torch.__version__} (the tutorial model's forward, float64)"}
    with open(path, "w", encoding="utf-8") as f:
        f.write(json.dumps(lesson, indent=1) + "\n")
    grads = {n: p.grad for n, p in model.named_parameters()}
    attnviz_export.write_safetensors(grads, os.path.join(out_dir, name + ".grad.safetensors"))
    print(f"{name}: loss {loss.item():.17g}, {len(grads)} gradients")


def main(argv):
    torch.set_default_dtype(torch.float64)  # the whole model in float64, its positional table too
    out_dir = argv[1] if len(argv) > 1 else os.path.join(HERE, "..", "pytorch")
    os.makedirs(out_dir, exist_ok=True)
    for seed, (name, extra) in enumerate(VARIANTS.items(), start=1):
        write_variant(out_dir, name, extra, seed)


if __name__ == "__main__":
    main(sys.argv)

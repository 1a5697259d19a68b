#!/usr/bin/env bash
# scripts/attnviz_export.py on a tutorial-style PyTorch model: the one call and the command write
# a lesson attnviz opens with PyTorch's own loss; an edited lesson is refused; models attnviz
# cannot show exactly are refused by the exporter with the reason.  Needs python3-torch: without
# it the test is skipped (status 77); tests/pytorch/ carries PyTorch's answer for the model tests.
#   bash export_pytorch.sh <path-to-attnviz> <source-dir>
set -euo pipefail
attnviz=$(realpath "$1")
src=$(realpath "$2")
python=
for candidate in python3 /usr/bin/python3; do
  if "$candidate" -c 'import torch' 2>/dev/null; then python=$candidate; break; fi
done
if [[ -z $python ]]; then
  echo "skip: no python3-torch"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$src/tests/tools/make_pytorch_fixture.py" "$work/tutorial.py"
cd "$work"

"$python" - "$src/scripts" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
import torch
from torch import nn
import attnviz_export
from tutorial import Seq2SeqTransformer, WORDS

torch.manual_seed(0)
model = Seq2SeqTransformer(2, 2, 16, 4, len(WORDS), len(WORDS), dim_feedforward=32)  # float32, as trained
torch.save(model, "model.pt")
with open("vocab.txt", "w") as f:
    f.write("\n".join(WORDS) + "\n")
attnviz_export.export(transformer=model.transformer, src_embed=model.src_tok_emb.embedding,
                      tgt_embed=model.tgt_tok_emb.embedding, generator=model.generator, src_vocab=WORDS,
                      tgt_vocab=WORDS, example=("3 1 4 1 5", "5 1 4 1 3"), out="call.json",
                      specials={"unk": "<unk>", "pad": "<pad>", "bos": "<bos>", "eos": "<eos>"}, wrap_source=True)

def refused(why, **changes):
    m = Seq2SeqTransformer(1, 1, 8, 2, len(WORDS), len(WORDS), dim_feedforward=8, **changes.pop("args", {}))
    for path, module in changes.items():
        parent, _, name = path.rpartition(".")
        setattr(m.get_submodule(parent) if parent else m, name, module)
    try:
        attnviz_export.export(transformer=m.transformer, src_embed=m.src_tok_emb.embedding,
                              tgt_embed=m.tgt_tok_emb.embedding, generator=m.generator, src_vocab=WORDS,
                              tgt_vocab=WORDS, example=("3 1", "1 3"), out="refused.json",
                              positional=changes.get("positional_encoding", "interleaved"))
    except attnviz_export.ExportError as e:
        ok = why in str(e)
        print(f"{'ok  ' if ok else 'FAIL'} refused: {e}")
        return ok
    print(f"FAIL accepted a model with {why}")
    return False

class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.weight

class Learned(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.zeros(1, 64, d))

ok = all([
    refused("learned positional embeddings", positional_encoding=Learned(8)),
    refused("RMSNorm", **{"transformer.encoder.layers.0.norm1": RMSNorm(8)}),
    refused("exact (erf) GELU", args={"activation": nn.GELU(approximate="tanh")}),
])
sys.exit(0 if ok else 1)
PY

"$python" "$src/scripts/attnviz_export.py" model.pt --out command.json --src-vocab vocab.txt --tgt-vocab vocab.txt \
  --example "3 1 4 1 5" "5 1 4 1 3" --wrap-source > /dev/null
for lesson in call command; do
  note=$("$attnviz" trace --print --lesson "$lesson.json" 2>&1 >/dev/null)
  if [[ $note != *"agrees with PyTorch"* ]]; then
    echo "FAIL $lesson.json: $note"
    exit 1
  fi
  echo "ok   $lesson.json opens: ${note#*: }"
done
sed 's/"ln_eps": 1e-05/"ln_eps": 1e-06/' call.json > edited.json
if message=$("$attnviz" trace --print --lesson edited.json 2>&1 >/dev/null); then
  echo "FAIL a lesson whose eps was edited opened"
  exit 1
fi
if [[ $message != *"disagrees with PyTorch"* ]]; then
  echo "FAIL edited lesson: $message"
  exit 1
fi
echo "ok   edited lesson refused: ${message:0:160}…"

#!/usr/bin/env python3
"""Write a PyTorch state_dict as a safetensors file attnviz reads.

    python3 export_state_dict.py MODEL.pt OUT.safetensors [--f64]

MODEL.pt is a file written by torch.save: a state_dict, or a module whose state_dict() is used.
Parameter names and shapes must be attnviz's (README.md, "The model"): an nn.Linear weight is
[out, in], a bias or LayerNorm weight is [d]. Needs only Debian's python3-torch.

The file: an 8-byte little-endian header length N, N bytes of JSON (space-padded so the data
starts 8-byte aligned), then every tensor's values, little-endian, row-major, back to back in
header order.
"""
import json
import math
import os
import struct
import sys

import torch


def save_state_dict(state_dict, path, dtype=None):
    formats = {torch.float32: ("F32", "f"), torch.float64: ("F64", "d")}
    header, chunks, offset = {}, [], 0
    for name, tensor in state_dict.items():
        t = tensor.detach().cpu().contiguous()
        if dtype is not None:
            t = t.to(dtype)
        if t.dtype not in formats:
            raise SystemExit(f"{name}: dtype {t.dtype} is not float32 or float64")
        values = t.flatten().tolist()
        if not all(math.isfinite(v) for v in values):
            raise SystemExit(f"{name}: has non-finite values")
        code, letter = formats[t.dtype]
        data = struct.pack(f"<{len(values)}{letter}", *values)
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for data in chunks:
            out.write(data)
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    loaded = torch.load(argv[1], map_location="cpu")
    state = loaded.state_dict() if hasattr(loaded, "state_dict") else loaded
    save_state_dict(state, argv[2], torch.float64 if "--f64" in argv[3:] else None)


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
"""Mutation fuzz of attnviz's file loaders: lessons and safetensors weights.

    tests/tools/fuzz_loaders.py BINARY [--cases 3000] [--seed 1] [--jobs 2] [--keep DIR]

Mutates the shipped lessons (assets/lessons/*.json) and weights (assets/lessons/weights/) —
bytes flipped, inserted, cut; JSON values swapped for extreme numbers, long or hostile strings,
deep nesting, other paths; safetensors headers with other shapes, offsets, dtypes and lengths —
and runs `BINARY trace --print` on each file, under a memory cap (6 GB of address space; none
for a sanitizer build, which reserves more) and a 20 s timeout.  Prints a summary by outcome:

    accepted   exit 0
    refused    exit 1 with one short "attnviz: …" line
    crash      killed by a signal, or a sanitizer report
    hang       still running after 20 s
    oom        ran out of memory
    bad-message  refused, but the message was long, held a control character, or was not one line
    stray-file   a file other than the input was left in the case's folder

and exits 1 when any case is crash, hang, oom, bad-message or stray-file.  --keep writes those
cases' files to DIR.  Python's standard library only.
"""

import argparse
import concurrent.futures
import json
import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import tempfile

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LESSONS = os.path.join(SOURCE, "assets", "lessons")
SMALL_LESSONS = ["word-order", "reverse", "copy", "tiny-translation", "self-attention-by-hand"]
BAD_OUTCOMES = {"crash", "hang", "oom", "bad-message", "stray-file"}

EXTREME_NUMBERS = [0, -1, 1, 2, 3, 7, 64, 65, 1000, 4096, 10001, 100000, 2**31, 2**31 - 1, 2**53, 2**63,
                   2**64, -2**63, 0.5, -0.0, 1e-300, 1e308, "1e309", "-1e309", "1e-400", 3.0000001]
HOSTILE_STRINGS = ["", " ", "x" * 100000, "../../../../../../etc/passwd", "/dev/zero", "../weights",
                   "weights/../../../../proc/self/environ", "\u001b]0;pwned\u0007\u001b[2J", "\u202e",
                   "<pad>", "<bos> <eos>", "the " * 3000, "왕자 " * 500, "\\", "\ud7a3", "nan", "inf",
                   "interleaved", "pre", "none", "true", "weights/word-order.safetensors"]


def extreme_number(rng):
    return rng.choice(EXTREME_NUMBERS)  # a string stands for a bare number JSON cannot hold


def random_value(rng, depth=0):
    kind = rng.randrange(8)
    if kind == 0:
        return extreme_number(rng)
    if kind == 1:
        return rng.choice(HOSTILE_STRINGS)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3 and depth < 3:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 4 and depth < 3:
        return {rng.choice(HOSTILE_STRINGS + ["d_model", "heads", "title"]): random_value(rng, depth + 1)}
    if kind == 5:
        nest = rng.choice([10, 100, 5000, 100000])
        return json.loads("[" * min(nest, 900) + "]" * min(nest, 900)) if nest < 900 else ("DEEP", nest)
    if kind == 6:
        return [rng.choice(HOSTILE_STRINGS[:3]) for _ in range(rng.randrange(1, 2000))]
    return rng.randrange(-5, 5000)


def nodes(value, path=()):
    """Every (path, node) of a JSON value."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from nodes(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from nodes(v, path + (i,))


def set_at(root, path, value):
    if not path:
        return value
    node = root
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return root


def dump(value, rng):
    """JSON text; ["DEEP", n] stands for n levels of nesting, "1e309" and the like for bare numbers."""
    text = json.dumps(value, ensure_ascii=bool(rng.getrandbits(1)))
    for n in EXTREME_NUMBERS:
        if isinstance(n, str):
            text = text.replace('"%s"' % n, n)
    while '["DEEP", ' in text:
        start = text.index('["DEEP", ')
        end = text.index("]", start)
        n = int(text[start + 9:end])
        text = text[:start] + "[" * n + "]" * n + text[end + 1:]
    return text


def mutate_bytes(rng, data):
    data = bytearray(data)
    for _ in range(rng.randrange(1, 8)):
        op = rng.randrange(5)
        if not data:
            break
        i = rng.randrange(len(data))
        if op == 0:
            data[i] = rng.randrange(256)
        elif op == 1:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 16)))
        elif op == 2:
            del data[i:i + rng.randrange(1, 64)]
        elif op == 3:
            data = data[:i]
        else:
            j = rng.randrange(len(data))
            data[i:i] = data[j:j + rng.randrange(1, 256)]
    return bytes(data)


CONFIG_KEYS = ["d_model", "heads", "encoder_layers", "decoder_layers", "d_ff", "max_len", "ln_eps", "norm",
               "positional", "residual", "scale_embedding", "scale_attention"]


def mutate_lesson(rng, text):
    if rng.random() < 0.25:
        return mutate_bytes(rng, text.encode())
    root = json.loads(text)
    if rng.random() < 0.35:  # sizes only: the file stays valid, the model may not fit
        for _ in range(rng.randrange(1, 4)):
            root.setdefault("config", {})[rng.choice(CONFIG_KEYS)] = rng.choice(
                [extreme_number(rng), rng.choice([1, 2, 4, 8, 16, 32, 64, 128, 512, 2048, 8192])])
        return dump(root, rng).encode()
    for _ in range(rng.randrange(1, 4)):
        path, _ = rng.choice(list(nodes(root)))
        if rng.random() < 0.5 and path:
            root = set_at(root, path, random_value(rng))
        elif isinstance(root, dict) and rng.random() < 0.5:
            key = rng.choice(["weights", "config", "example", "vocabulary", "task", "open", "training", "attention"])
            root[key] = random_value(rng)
            if key == "config":
                root[key] = {rng.choice(["d_model", "heads", "max_len", "d_ff", "encoder_layers", "decoder_layers",
                                         "ln_eps", "norm", "positional", "src_vocab"]): extreme_number(rng)}
        else:
            root = set_at(root, path, random_value(rng))
    return dump(root, rng).encode()


def safetensors_parts(data):
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8:8 + n]), data[8 + n:]


def safetensors_bytes(rng, header, payload, length=None):
    text = dump(header, rng).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + payload


def mutate_weights(rng, data):
    if rng.random() < 0.3:
        return mutate_bytes(rng, data[:4096]) + data[4096:] if rng.random() < 0.7 else mutate_bytes(rng, data)
    header, payload = safetensors_parts(data)
    names = [k for k in header if k != "__metadata__"]
    for _ in range(rng.randrange(1, 4)):
        name = rng.choice(names)
        field = rng.choice(["dtype", "shape", "data_offsets", "name", "length", "payload", "extra"])
        if field == "dtype":
            header[name]["dtype"] = rng.choice(["F16", "BF16", "I64", "F32", "F64", "", 7])
        elif field == "shape":
            header[name]["shape"] = rng.choice([[], [0], [2**63], [2**64 - 1], [-1], [1] * 100000,
                                                [extreme_number(rng)], [rng.randrange(100)] * rng.randrange(4)])
        elif field == "data_offsets":
            header[name]["data_offsets"] = [extreme_number(rng), extreme_number(rng)]
        elif field == "name":
            header[rng.choice(HOSTILE_STRINGS)] = header.pop(name)
            names = [k for k in header if k != "__metadata__"]
        elif field == "length":
            return safetensors_bytes(rng, header, payload, rng.choice([0, 7, 2**63, 100_000_001, len(payload)]))
        elif field == "payload":
            cut = rng.randrange(len(payload) + 1)
            payload = payload[:cut] + (struct.pack("<d", float("nan")) if rng.random() < 0.5 else b"")
        else:
            header["__metadata__"] = random_value(rng)
    return safetensors_bytes(rng, header, payload)


def make_case(rng, index, folder):
    """Writes one mutated file into `folder`; returns the command's arguments."""
    lesson = rng.choice(SMALL_LESSONS)
    shutil.copytree(os.path.join(LESSONS, "weights"), os.path.join(folder, "weights"))
    if index % 3 == 2 and lesson != "self-attention-by-hand":
        with open(os.path.join(LESSONS, "weights", lesson + ".safetensors"), "rb") as f:
            data = mutate_weights(rng, f.read())
        path = os.path.join(folder, "case.safetensors")
        with open(path, "wb") as f:
            f.write(data)
        return ["--lesson", os.path.join(LESSONS, lesson + ".json"), "--weights", path]
    with open(os.path.join(LESSONS, lesson + ".json"), encoding="utf-8") as f:
        data = mutate_lesson(rng, f.read())
    path = os.path.join(folder, "case.json")
    with open(path, "wb") as f:
        f.write(data)
    return ["--lesson", path]


def limit_memory():
    cap = 6 * 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def classify(result, stderr):
    if result == "hang":
        return "hang"
    code = result
    if "Sanitizer" in stderr or "runtime error:" in stderr or code < 0 or code >= 128:
        return "oom" if "out of memory" in stderr or "bad_alloc" in stderr else "crash"
    if code == 0:
        return "accepted"
    if "out of memory" in stderr:
        return "oom"
    lines = stderr.strip("\n").split("\n")
    message = lines[0] if lines else ""
    if code != 1 or len(lines) != 1 or not message.startswith("attnviz: ") or len(message.encode()) > 1200 or \
            any(ord(c) < 0x20 or ord(c) == 0x7f for c in message):
        return "bad-message"
    return "refused"


def run_case(binary, seed, index, sanitized, keep):
    rng = random.Random(seed * 1_000_003 + index)
    folder = tempfile.mkdtemp(prefix="attnviz-fuzz-")
    try:
        args = make_case(rng, index, folder)
        before = set(os.listdir(folder))
        try:
            p = subprocess.run([binary, "trace", "--print"] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=20, preexec_fn=None if sanitized else limit_memory)
            outcome = classify(p.returncode, p.stderr.decode("utf-8", "replace"))
            stderr = p.stderr.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            outcome, stderr = "hang", ""
        if outcome not in BAD_OUTCOMES and set(os.listdir(folder)) != before:
            outcome = "stray-file"
        if outcome in BAD_OUTCOMES and keep:
            target = os.path.join(keep, "%05d-%s" % (index, outcome))
            os.makedirs(target, exist_ok=True)
            for name in os.listdir(folder):
                if name.startswith("case"):
                    shutil.copy(os.path.join(folder, name), target)
            with open(os.path.join(target, "stderr.txt"), "w") as f:
                f.write(" ".join(args) + "\n" + stderr)
        return outcome, stderr[:300]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary")
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="folder for the files of failing cases")
    parser.add_argument("--sanitized", action="store_true", help="a sanitizer build: no address-space cap")
    o = parser.parse_args()
    counts, examples = {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=o.jobs) as pool:
        futures = [pool.submit(run_case, o.binary, o.seed, i, o.sanitized, o.keep) for i in range(o.cases)]
        for f in concurrent.futures.as_completed(futures):
            outcome, stderr = f.result()
            counts[outcome] = counts.get(outcome, 0) + 1
            examples.setdefault(outcome, stderr)
    for outcome in sorted(counts, key=lambda k: -counts[k]):
        print("%-12s %6d   e.g. %s" % (outcome, counts[outcome], examples[outcome].strip().split("\n")[0][:150]))
    bad = sum(counts.get(k, 0) for k in BAD_OUTCOMES)
    print("%d cases, %d bad" % (o.cases, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

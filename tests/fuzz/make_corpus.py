#!/usr/bin/env python3
"""Builds the fuzz seed corpus from the repository's scenarios and bad inputs.

Usage: tests/fuzz/make_corpus.py OUT_DIR

Each seed is in the fuzz target's format (tests/fuzz/fuzz_scenario.c): scenario,
network, parent scenario and --set lines, separated by lines "#%%". References to
a network file or a parent are rewritten to network.yaml and parent.yaml, the names
the target writes them under, so the seeds load as they do from the repository.
"""
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = ["scenarios", "tests/scenarios", "tests/bad_inputs", "tests/fuzz/regressions"]
SEP = b"\n#%%\n"


def read(path):
    with open(path, "rb") as f:
        return f.read()


def reference(text, key):
    m = re.search(rb"^" + key + rb":[ \t]*([^\s#{\[]+)[ \t]*(#.*)?$", text, re.M)
    return m.group(1).decode("utf-8", "replace").strip("'\"") if m else None


def rewrite(text, key, name):
    return re.sub(rb"^(" + key + rb":[ \t]*)[^\s#{\[]+", rb"\g<1>" + name, text, count=1,
                  flags=re.M)


def seed(path):
    text = read(path)
    if path.endswith(".net.yaml") or "/regressions/" in path:
        return text  # a network alone, or already in the target's format
    here = os.path.dirname(path)
    network, parent = b"", b""
    ext = reference(text, b"extends")
    if ext and os.path.isfile(os.path.join(here, ext)):
        ppath = os.path.join(here, ext)
        parent = read(ppath)
        net = reference(parent, b"network")
        if net and os.path.isfile(os.path.join(os.path.dirname(ppath), net)):
            network = read(os.path.join(os.path.dirname(ppath), net))
            parent = rewrite(parent, b"network", b"network.yaml")
        parent = rewrite(parent, b"extends", b"parent.yaml")
        text = rewrite(text, b"extends", b"parent.yaml")
    net = reference(text, b"network")
    if net and os.path.isfile(os.path.join(here, net)):
        network = read(os.path.join(here, net))
        text = rewrite(text, b"network", b"network.yaml")
    sets = b"inflow.per_year=1000\nseed=3" if b"inflow" in text else b""
    return SEP.join([text, network, parent, sets])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    count = 0
    for src in SOURCES:
        d = os.path.join(REPO, src)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            path = os.path.join(d, name)
            if os.path.isfile(path):
                with open(os.path.join(out, src.replace("/", "_") + "_" + name), "wb") as f:
                    f.write(seed(path))
                count += 1
    print(f"make_corpus: {count} seeds in {out}")


if __name__ == "__main__":
    main()

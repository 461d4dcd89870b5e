"""Interop: the numpy-only reader and writer printed in vt-tensor(5) work.

The recipes are taken from the rendered man page, so the page cannot drift
from what the tools write and read.  Run by test/interop/run.
"""
import os
import re
import subprocess

import numpy as np

from _st import Harness, check

h = Harness("manpage")


def recipes():
    text = subprocess.run(["mandoc", "-Tutf8", "man/man5/vt-tensor.5"],
                          check=True, capture_output=True).stdout.decode()
    text = re.sub(".\b", "", text)  # overstrike from the terminal formatter
    blocks, cur = [], None
    for line in text.splitlines():
        if line.startswith(" " * 11) or (cur is not None and not line.strip()):
            if cur is None:
                cur = []
            cur.append(line[11:])
        elif cur is not None:
            blocks.append("\n".join(cur))
            cur = None
    code = [b for b in blocks if "def " in b]
    check(len(code) == 2, "expected the reader and the writer, found %d" % len(code))
    reader = code[0].split("\nwith open")[0]
    return reader, code[1]


@h.case
def reader_and_writer_from_the_man_page():
    reader, writer = recipes()
    env = {}
    exec(reader, env)
    exec(writer, env)
    arrays = {"images": np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4),
              "mask": np.array([True, False, True]),
              "ids": np.array([-1, 2**40], dtype=np.int64),
              "h": np.array([0.5, -2], dtype=np.float16)}
    blob = env["record"](arrays, {"images": ("N", "H", "W")})
    p = os.path.join(h.tmp, "w.safetensors")
    with open(p, "wb") as f:
        f.write(blob)
    (obj,) = h.inspect_json("--stats", p)
    by = {t["name"]: t for t in obj["tensors"]}
    check(by["images"]["dims"] == ["N", "H", "W"], "dims %r" % by["images"]["dims"])
    check(by["ids"]["stats"]["max"] == 2**40, "ids %r" % by["ids"]["stats"])
    check(by["mask"]["dtype"] == "BOOL" and by["h"]["dtype"] == "F16", "dtypes")
    # and the reader reads what vt writes
    out = os.path.join(h.tmp, "s.vts")
    h.run("tensor-inspect", "--slice", "images[N=1]", "-o", out, p)
    with open(out, "rb") as f:
        got = list(env["read_records"](f))
    check(len(got) == 1, "records %d" % len(got))
    meta, arr = got[0]
    check(np.array_equal(arr["images"], arrays["images"][1]), "values")
    check(meta["vt.dims.images"] == "H,W", "dims %r" % meta)


h.finish()

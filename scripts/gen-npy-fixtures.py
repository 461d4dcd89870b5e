#!/usr/bin/python3
"""Make the .npy test fixtures: good files written by NumPy into
test/data/npy/ and malformed files into test/data/bad/npy-*.npy.

    /usr/bin/python3 scripts/gen-npy-fixtures.py [REPO_ROOT]

Needs NumPy 1.24 or later (the good files are compared byte for byte with
what vt writes, and NumPy 1.24 added spare header room that vt reproduces).
The files are committed; rerun this only to change them.
"""
import io
import os
import struct
import sys

import numpy as np

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
good = os.path.join(root, "test", "data", "npy")
bad = os.path.join(root, "test", "data", "bad")
os.makedirs(good, exist_ok=True)
os.makedirs(bad, exist_ok=True)

major, minor = (int(x) for x in np.__version__.split(".")[:2])
if (major, minor) < (1, 24):
    sys.exit("gen-npy-fixtures: NumPy %s is older than 1.24" % np.__version__)

# Values the unit tests expect (test/unit/test_npy.c has the same tables).
SIGNED = [lambda i: np.iinfo(i).min, -1, 0, 1, 7, lambda i: np.iinfo(i).max]
UNSIGNED = [0, 1, 2, 7, lambda i: np.iinfo(i).max - 1, lambda i: np.iinfo(i).max]
FLOATS = [-1.5, 0.0, 0.25, 2.0, 1000.0, np.inf]


def values(dtype):
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return np.array([True, False, True, True, False, False], dt)
    if dt.kind == "f":
        return np.array(FLOATS, dt)
    table = SIGNED if dt.kind == "i" else UNSIGNED
    return np.array([v(dt) if callable(v) else v for v in table], dt)


def save(name, arr, **kw):
    path = os.path.join(good, name)
    if kw:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, arr, **kw)
    else:
        np.save(path, arr)


for code in ["f2", "f4", "f8", "i1", "i2", "i4", "i8",
             "u1", "u2", "u4", "u8", "b1"]:
    save(code + ".npy", values(code).reshape(2, 3))

save("scalar-f8.npy", np.array(3.25))
save("empty-f4.npy", np.zeros((0, 3), np.float32))
save("empty-i2.npy", np.zeros((2, 0, 4), np.int16))
save("vec-u1.npy", np.arange(5, dtype=np.uint8))
save("rank8-u1.npy", np.arange(16, dtype=np.uint8).reshape(1, 2, 1, 2, 1, 2, 1, 2))
save("v2-i4.npy", np.arange(6, dtype=np.int32).reshape(2, 3), version=(2, 0))
save("v3-f4.npy", np.arange(6, dtype=np.float32).reshape(2, 3), version=(3, 0))
save("fortran-i4.npy",
     np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)))
save("fortran-f8.npy",
     np.asfortranarray(np.arange(6, dtype=np.float64).reshape(2, 3) * 0.5))


# Malformed files, made by hand.
def npy(header, data=b"", version=(1, 0), pad=True, newline=True):
    """A .npy file with the given header text (padded as NumPy does)."""
    h = header.encode("utf-8" if version[0] >= 3 else "latin1")
    fmt = "<H" if version[0] == 1 else "<I"
    if newline:
        h += b"\n"
    if pad:
        pre = 8 + struct.calcsize(fmt)
        n = -(pre + len(h)) % 64
        h = h[:-1] + b" " * n + h[-1:] if newline else h + b" " * n
    return (b"\x93NUMPY" + bytes(version) + struct.pack(fmt, len(h)) + h
            + data)


def hdr(descr="'<f4'", fortran="False", shape="(2, 3)"):
    return "{'descr': %s, 'fortran_order': %s, 'shape': %s, }" % (
        descr, fortran, shape)


def numpy_bytes(arr):
    f = io.BytesIO()
    np.save(f, arr, allow_pickle=True)
    return f.getvalue()


f4 = np.arange(6, dtype=np.float32).tobytes()
good_file = numpy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))
BAD = {
    "empty": b"",
    "bad-magic": b"\x93NUMPZ\x01\x00" + good_file[8:],
    "short-magic": good_file[:5],
    "short-version": good_file[:7],
    "short-length": good_file[:9],
    "version-4": b"\x93NUMPY\x04\x00" + good_file[8:],
    "version-1-1": b"\x93NUMPY\x01\x01" + good_file[8:],
    "header-past-end": good_file[:40],
    "header-limit": b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{",
    "data-short": good_file[:-1],
    "data-long": good_file + b"\0",
    "no-newline": npy(hdr(), f4, newline=False),
    "no-brace": npy(hdr()[1:], f4),
    "garbage-after-dict": npy(hdr() + " x", f4),
    "object": numpy_bytes(np.array([1, "a", None], dtype=object)),
    "big-endian": numpy_bytes(np.arange(6, dtype=">f4").reshape(2, 3)),
    "native-order": npy(hdr(descr="'=f4'"), f4),
    "structured": numpy_bytes(np.zeros(2, dtype=[("a", "<i4"), ("b", "<f4")])),
    "complex": numpy_bytes(np.zeros(3, dtype=np.complex64)),
    "string": numpy_bytes(np.array(["ab", "c"])),
    "datetime": numpy_bytes(np.zeros(2, dtype="datetime64[s]")),
    "float128": npy(hdr(descr="'<f16'", shape="(1,)"), b"\0" * 16),
    "descr-not-string": npy(hdr(descr="4"), f4),
    "dup-key": npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
                   "'shape': (2, 3), }", f4),
    "missing-key": npy("{'descr': '<f4', 'shape': (2, 3), }", f4),
    "extra-key": npy("{'descr': '<f4', 'fortran_order': False, "
                     "'shape': (2, 3), 'x': 1, }", f4),
    "double-comma": npy("{'descr': '<f4',, 'fortran_order': False, "
                        "'shape': (2, 3), }", f4),
    "unterminated-string": npy("{'descr': '<f4', 'fortran_order': False, "
                               "'shape': (2, 3), '}", f4),
    "escape": npy(hdr(descr="'<f\\x34'"), f4),
    "fortran-int": npy(hdr(fortran="0"), f4),
    "shape-negative": npy(hdr(shape="(2, -3)"), f4),
    "shape-not-tuple": npy(hdr(shape="(6)"), f4),
    "shape-list": npy(hdr(shape="[2, 3]"), f4),
    "shape-float": npy(hdr(shape="(2.0, 3)"), f4),
    "shape-bool": npy(hdr(shape="(True,)"), b"\0" * 4),
    "shape-leading-zero": npy(hdr(shape="(02, 3)"), f4),
    "shape-empty-entry": npy(hdr(shape="(2, , 3)"), f4),
    "shape-rank9": npy(hdr(shape="(1, 1, 1, 1, 1, 1, 1, 1, 1)"), b"\0" * 4),
    "shape-huge": npy(hdr(shape="(99999999999999999999999999,)"), f4),
    "shape-overflow": npy(hdr(shape="(16777216, 16777216, 16777216)"), f4),
    "v3-bad-utf8": npy(hdr(), f4, version=(3, 0))[:12] + b"\xff"
    + npy(hdr(), f4, version=(3, 0))[13:],
}

for name, blob in BAD.items():
    with open(os.path.join(bad, "npy-%s.npy" % name), "wb") as f:
        f.write(blob)

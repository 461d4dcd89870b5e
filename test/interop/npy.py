"""Interop: .npy files written by numpy read by vt, and .npy files written
by vt loaded by np.load.

Run by test/interop/run from the repository root with VT_BIN set.
"""
import io
import json
import math
import os
import struct

import numpy as np

np.seterr(all="ignore")  # extremes overflow numpy's own std: expected

from _st import DTYPES, Harness, check, decode_one, encode, same_array

h = Harness("npy")
NUMPY_1_24 = tuple(int(x) for x in np.__version__.split(".")[:2]) >= (1, 24)


def path(name):
    return os.path.join(h.tmp, name)


def st_code(dt):
    return [k for k, v in DTYPES.items() if np.dtype(v) == dt][0]


def extremes(dt):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return np.array([True, False, False, True])
    if dt.kind == "f":
        fi = np.finfo(dt)
        return np.array([fi.min, -0.0, fi.tiny, fi.max, np.inf, np.nan], dt)
    ii = np.iinfo(dt)
    return np.array([ii.min, 0, 1, ii.max - 1, ii.max], dt)


# (file stem, array, how to write it)
ARRAYS = [(st_code(np.dtype(v)).lower(), extremes(v), None)
          for v in DTYPES.values()] + [
    ("grid", np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7, None),
    ("zero_d", np.array(1.0 / 3), None),
    ("zero_d_bool", np.array(True), None),
    ("empty", np.zeros((0,), np.float64), None),
    ("empty_2d", np.zeros((3, 0), np.uint16), None),
    ("fortran_2d", np.asfortranarray(np.arange(12, dtype=np.int32).reshape(3, 4)), None),
    ("fortran_3d", np.asfortranarray(
        np.arange(60, dtype=np.float64).reshape(3, 4, 5) - 30), None),
    ("fortran_bool", np.asfortranarray(np.eye(3, 4, dtype=bool)), None),
    ("v2", np.arange(10, dtype=np.int16).reshape(2, 5), (2, 0)),
    ("v3", np.arange(10, dtype=np.uint32).reshape(5, 2), (3, 0)),
    ("v2_fortran", np.asfortranarray(np.arange(6, dtype=np.int8).reshape(2, 3)), (2, 0)),
    ("rank8", np.arange(256, dtype=np.uint8).reshape((2,) * 8), None),
    ("noncontig", np.arange(40, dtype=np.int64).reshape(5, 8)[::2, 1::3], None),
]


def save(stem, arr, version):
    p = path(stem + ".npy")
    if version is None:
        np.save(p, arr)
    else:
        with open(p, "wb") as f:
            np.lib.format.write_array(f, arr, version=version)
    return p


def written():
    return [(stem, arr, save(stem, arr, v)) for stem, arr, v in ARRAYS]


@h.case
def numpy_files_described_by_vt():
    for stem, arr, p in written():
        (obj,) = h.inspect_json(p)
        (t,) = obj["tensors"]
        check(t["name"] == stem, "%s: name %r" % (stem, t["name"]))
        check(t["dtype"] == st_code(arr.dtype), "%s: dtype %r" % (stem, t["dtype"]))
        check(t["shape"] == list(arr.shape), "%s: shape %r" % (stem, t["shape"]))
        check(t["bytes"] == arr.nbytes, "%s: bytes %r" % (stem, t["bytes"]))
        check(t["dims"] is None, "%s: dims %r" % (stem, t["dims"]))


@h.case
def numpy_files_joined_by_vt():
    files = written()
    out = path("joined.safetensors")
    h.run("tensor-inspect", "--from-npy", *[p for _, _, p in files], "-o", out)
    with open(out, "rb") as f:
        blob = f.read()
    rec, end = decode_one(blob)
    check(end == len(blob), "trailing bytes")
    check(len(rec.tensors) == len(files), "%d tensors" % len(rec.tensors))
    for stem, arr, _ in files:
        # Fortran-order files come back in C order with the same values.
        same_array(rec.tensors[stem], arr.copy(order="C"), stem)


@h.case
def stats_of_numpy_files():
    for stem, arr, p in written():
        (obj,) = h.inspect_json("--stats", p)
        s = obj["tensors"][0]["stats"]
        v = arr.astype(np.float64).ravel()
        fin = v[np.isfinite(v)]
        check(s["count"] == v.size, "%s: count %r" % (stem, s["count"]))
        check(s["finite"] == fin.size, "%s: finite" % stem)
        check(s["nan"] == int(np.isnan(v).sum()), "%s: nan" % stem)
        check(s["inf"] == int(np.isinf(v).sum()), "%s: inf" % stem)
        check(s["zeros"] == int((v == 0).sum()), "%s: zeros" % stem)
        if fin.size == 0:
            check(s["min"] is None and s["mean"] is None, "%s: empty stats" % stem)
            continue
        if arr.dtype.kind in "iu" and arr.dtype.itemsize == 8:
            continue  # I64/U64 extremes are not exact as doubles
        for key, want in (("min", fin.min()), ("max", fin.max()),
                          ("mean", fin.mean()), ("std", fin.std())):
            if not math.isfinite(want):
                continue  # overflow of float max sums: not compared
            check(math.isclose(s[key], want, rel_tol=1e-9, abs_tol=1e-300),
                  "%s %s: vt %r, numpy %r" % (stem, key, s[key], want))


@h.case
def json_keeps_double_extremes():
    fi = np.finfo(np.float64)
    for arr in (np.array([fi.min, 1.0]), np.array([fi.max, 1.0]),
                np.array([0.1, 1.0 / 3, 2.0 / 3, 1e-300])):
        p = path("extreme.npy")
        np.save(p, arr)
        (obj,) = h.inspect_json("--stats", p)
        s = obj["tensors"][0]["stats"]
        check(s["min"] == arr.min() and s["max"] == arr.max(),
              "min %r max %r, expected %r %r (exactly)" % (
                  s["min"], s["max"], arr.min(), arr.max()))


def vt_to_npy(record_blob, name, suffix=".safetensors"):
    src = path(name + suffix)
    with open(src, "wb") as f:
        f.write(record_blob)
    d = path(name + ".out")
    os.makedirs(d)
    h.run("tensor-inspect", "--to-npy", d, src)
    return d


@h.case
def vt_npy_loaded_by_numpy():
    tensors = [(stem, arr.copy(order="C")) for stem, arr, _ in ARRAYS]
    tensors.append(("gr\u00f6\u00dfe", np.arange(3, dtype=np.int16)))
    d = vt_to_npy(encode(tensors, {"image": "x"}, {"grid": ["N", "H", "W"]}),
                  "all")
    check(sorted(os.listdir(d)) == sorted(n + ".npy" for n, _ in tensors),
          "files %r" % sorted(os.listdir(d)))
    for name, arr in tensors:
        p = os.path.join(d, name + ".npy")
        got = np.load(p, allow_pickle=False)
        same_array(got, arr, name)
        with open(p, "rb") as f:
            raw = f.read()
        check(raw[:8] == b"\x93NUMPY\x01\x00", "%s: not a version 1.0 file" % name)
        (hl,) = struct.unpack_from("<H", raw, 8)
        check((10 + hl) % 64 == 0, "%s: data not 64-aligned" % name)
        if NUMPY_1_24:
            f = io.BytesIO()
            np.save(f, arr)
            check(f.getvalue() == raw, "%s: bytes differ from np.save" % name)
        m = np.load(p, mmap_mode="r")
        same_array(np.asarray(m), arr, name + " (mmap)")
        del m


@h.case
def vt_npy_from_a_stream():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    blob = b"".join(encode([("x", x * i)]) for i in range(3))
    d = vt_to_npy(blob, "stream", ".vts")
    check(sorted(os.listdir(d)) == ["x.1.npy", "x.2.npy", "x.npy"],
          "files %r" % sorted(os.listdir(d)))
    for i, fn in enumerate(["x.npy", "x.1.npy", "x.2.npy"]):
        same_array(np.load(os.path.join(d, fn)), x * i, fn)


@h.case
def numpy_round_trip_through_vt():
    # numpy -> vt (--from-npy) -> vt (--to-npy) -> numpy.
    files = written()
    out = path("rt.safetensors")
    h.run("tensor-inspect", "--from-npy", *[p for _, _, p in files], "-o", out)
    d = path("rt.out")
    os.makedirs(d)
    h.run("tensor-inspect", "--to-npy", d, out)
    for stem, arr, _ in files:
        same_array(np.load(os.path.join(d, stem + ".npy")), arr, stem)


def refused(stem, blob, words):
    p = path(stem + ".npy")
    with open(p, "wb") as f:
        f.write(blob)
    _, err = h.run("tensor-inspect", p, expect=65)
    check(p in err, "%s: message does not name the file: %r" % (stem, err))
    for w in words:
        check(w in err, "%s: message %r lacks %r" % (stem, err, w))


def npy_bytes(arr, **kw):
    f = io.BytesIO()
    np.save(f, arr, **kw)
    return f.getvalue()


@h.case
def unsupported_numpy_files_refused():
    refused("obj", npy_bytes(np.array([1, None], dtype=object), allow_pickle=True),
            ["object arrays are not supported"])
    refused("be", npy_bytes(np.arange(3, dtype=">i4")), ["big-endian", ">i4"])
    refused("rec", npy_bytes(np.zeros(2, dtype=[("a", "<f4")])),
            ["structured dtypes are not supported"])
    refused("cplx", npy_bytes(np.zeros(2, dtype=np.complex128)), ["'<c16'"])
    refused("str", npy_bytes(np.array(["x"])), ["'<U1'"])
    good = npy_bytes(np.arange(6, dtype=np.float32))
    refused("long", good + b"\0\0", ["expected 24 bytes of data, file has 26"])
    refused("short", good[:-4], ["expected 24 bytes of data, file has 20"])


@h.case
def bf16_cannot_become_npy():
    hdr = json.dumps({"w": {"dtype": "BF16", "shape": [2],
                            "data_offsets": [0, 4]}}).encode()
    hdr += b" " * (-(8 + len(hdr)) % 64)
    src = path("bf16.safetensors")
    with open(src, "wb") as f:
        f.write(struct.pack("<Q", len(hdr)) + hdr + b"\x80\x3f\x00\x40")
    d = path("bf16.out")
    os.makedirs(d)
    _, err = h.run("tensor-inspect", "--to-npy", d, src, expect=65)
    check("BF16" in err, "message %r does not mention BF16" % err)
    check(os.listdir(d) == [], "files left behind: %r" % os.listdir(d))


h.finish()

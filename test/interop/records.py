"""Interop: safetensors records written by Python + numpy (no safetensors
package) read by vt, and records vt writes read back by a numpy-only reader.

Run by test/interop/run from the repository root with VT_BIN set.
"""
import json
import math
import os

import numpy as np

from _st import DTYPES, Harness, check, decode_one, decode_stream, encode, \
    same_array

h = Harness("records")


def path(name):
    return os.path.join(h.tmp, name)


def write(name, blob):
    with open(path(name), "wb") as f:
        f.write(blob)
    return path(name)


def read(name):
    with open(path(name), "rb") as f:
        return f.read()


def extremes(code):
    """A [2,3] array of dtype code with its extreme and special values."""
    dt = np.dtype(DTYPES[code])
    if dt.kind == "b":
        return np.array([[True, False, True], [False, False, True]])
    if dt.kind == "f":
        fi = np.finfo(dt)
        return np.array([[fi.min, -0.0, fi.tiny], [fi.max, np.inf, -np.inf]], dt)
    ii = np.iinfo(dt)
    return np.array([[ii.min, 0, 1], [ii.max, ii.max - 1, 7]], dt)


ALL = [(code.lower(), extremes(code)) for code in DTYPES] + [
    ("scalar_f64", np.array(-2.75)),
    ("scalar_u8", np.array(200, np.uint8)),
    ("empty", np.zeros((0, 3), np.float32)),
    ("empty_mid", np.zeros((2, 0, 5), np.int64)),
    ("nan", np.array([np.nan, 1.0], np.float32)),
    ("rank8", np.arange(2 ** 8, dtype=np.int16).reshape((2,) * 8)),
]
DIMS = {"f32": ["N", "C"], "i64": ["", "W"], "empty_mid": ["B", "", "K"],
        "rank8": list("ABCDEFGH")}
META = {"image": "a.jpg", "width": "640", "note": "caf\u00e9 \u2713 \"quoted\"",
        "empty": ""}


def check_json_record(obj, tensors, meta, dims, index=0):
    check(obj["record"] == index, "record index %r" % obj["record"])
    check(obj["metadata"] == meta, "metadata %r, expected %r" % (obj["metadata"], meta))
    got = {t["name"]: t for t in obj["tensors"]}
    check(len(got) == len(tensors), "tensor count %d" % len(got))
    for name, a in tensors:
        t = got[name]
        check(t["dtype"] == [k for k, v in DTYPES.items()
                             if np.dtype(v) == a.dtype][0],
              "%s: dtype %s" % (name, t["dtype"]))
        check(t["shape"] == list(a.shape), "%s: shape %r" % (name, t["shape"]))
        check(t["bytes"] == a.nbytes, "%s: bytes %r" % (name, t["bytes"]))
        check(t["dims"] == dims.get(name), "%s: dims %r, expected %r" % (
            name, t["dims"], dims.get(name)))


@h.case
def python_record_every_dtype():
    f = write("all.safetensors", encode(ALL, META, DIMS))
    (obj,) = h.inspect_json(f)
    check_json_record(obj, ALL, META, DIMS)
    check(obj["file"] == f, "file %r" % obj["file"])


@h.case
def python_record_with_vt_format_and_raw_utf8():
    # A header with non-ASCII written raw (not \u escapes), vt.format given.
    tensors = [("gr\u00f6\u00dfe", np.arange(4, dtype=np.uint16)),
               ("\u65e5\u672c", np.ones((1, 1), np.float64))]
    meta = {"vt.format": "1", "k\u00e9y": "v\u00e4lue"}
    f = write("utf8.safetensors", encode(tensors, meta, {"\u65e5\u672c": ["H", "W"]},
                                         ensure_ascii=False))
    (obj,) = h.inspect_json(f)
    check_json_record(obj, tensors, {"k\u00e9y": "v\u00e4lue"},
                      {"\u65e5\u672c": ["H", "W"]})


@h.case
def python_padding_other_than_64():
    # The safetensors package pads headers to 8 bytes; the format allows
    # any padding, or none.
    x = [("x", np.arange(6, dtype=np.float32).reshape(2, 3))]
    for align in (1, 8):
        blob = encode(x, {"a": "b"}, align=align)
        f = write("align%d.safetensors" % align, blob)
        (obj,) = h.inspect_json(f)
        check_json_record(obj, x, {"a": "b"}, {})
        out, _ = h.run("tensor-inspect", "--slice", "x", "-o", "-", f)
        (rec,) = decode_stream(out)
        same_array(rec.tensors["x"], x[0][1], "align %d" % align)


@h.case
def python_stream_of_records():
    recs = [
        ([("boxes", np.array([[0, 0, 10, 10], [1, 2, 3, 4]], np.float32)),
          ("scores", np.array([0.5, 0.25], np.float32)),
          ("classes", np.array([3, 0], np.int32))],
         {"image": "0.jpg"}, {"boxes": ["n", ""]}),
        ([], {"image": "nothing"}, {}),
        ([("boxes", np.zeros((0, 4), np.float32))], {}, {"boxes": ["n", "k"]}),
        ([("flag", np.array(True))], {"image": "3.jpg"}, {}),
    ]
    blob = b"".join(encode(*r) for r in recs)
    f = write("stream.vts", blob)
    for objs in (h.inspect_json(f), h.inspect_json("-", stdin=blob),
                 h.inspect_json(stdin=blob)):
        check(len(objs) == len(recs), "%d records, expected %d" % (
            len(objs), len(recs)))
        for i, (obj, r) in enumerate(zip(objs, recs)):
            check_json_record(obj, r[0], r[1], r[2], index=i)
    # --head, and a stream written back by vt (--slice -o: one record each).
    objs = h.inspect_json("--head", "2", f)
    check(len(objs) == 2, "--head 2 gave %d records" % len(objs))
    os.makedirs(path("streamnpy"))
    h.run("tensor-inspect", "--to-npy", path("streamnpy"), f)
    for name, i in (("boxes", 0), ("boxes", 2), ("scores", 0), ("flag", 3)):
        fn = "%s.npy" % name if i == 0 else "%s.%d.npy" % (name, i)
        a = np.load(os.path.join(path("streamnpy"), fn))
        want = dict(recs[i][0])[name]
        same_array(a, want, fn)


@h.case
def truncated_stream_is_refused():
    blob = encode([("x", np.arange(3, dtype=np.int8))]) * 2
    _, err = h.run("tensor-inspect", "--json", "-", stdin=blob[:-1], expect=65)
    check("record 1" in err, "message %r does not name record 1" % err)


def check_vt_header(rec):
    """vt writes compact JSON, __metadata__ first, tensors by dtype size
    (largest first) then by name, offsets in that order."""
    text = rec.header_bytes.decode("utf-8").rstrip(" ")
    obj = json.loads(text)
    keys = list(obj)
    check(keys[0] == "__metadata__", "first key %r" % keys[0])
    check(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) == text,
          "header is not compact JSON: %r" % text[:80])
    names = keys[1:]
    size = {n: np.dtype(DTYPES[obj[n]["dtype"]]).itemsize for n in names}
    want = sorted(names, key=lambda n: (-size[n], n.encode("utf-8")))
    check(names == want, "tensor order %r, expected %r" % (names, want))
    offs = [obj[n]["data_offsets"][0] for n in names]
    check(offs == sorted(offs), "offsets out of order")


@h.case
def vt_writes_from_npy():
    a = np.arange(12, dtype=np.float32).reshape(3, 4) / 3
    b = np.asfortranarray(np.arange(6, dtype=np.int64).reshape(2, 3) - 3)
    c = np.array([True, False])
    d = np.array(7, np.uint16)
    for name, arr in (("a", a), ("b", b), ("c", c), ("d", d)):
        np.save(path(name + ".npy"), arr)
    out = path("joined.safetensors")
    h.run("tensor-inspect", "--from-npy", *[path(n + ".npy") for n in "abcd"],
          "-o", out)
    blob = read("joined.safetensors")
    rec, end = decode_one(blob)
    check(end == len(blob), "record is %d bytes, file %d" % (end, len(blob)))
    for name, arr in (("a", a), ("b", b), ("c", c), ("d", d)):
        same_array(rec.tensors[name], arr, name)
    check(rec.metadata == {"vt.format": "1"}, "metadata %r" % rec.metadata)
    check(rec.dims == {}, "dims %r" % rec.dims)
    check_vt_header(rec)
    # The same to standard output.
    out2, _ = h.run("tensor-inspect", "--from-npy",
                    *[path(n + ".npy") for n in "abcd"], "-o", "-")
    check(out2 == blob, "-o - differs from -o FILE")


@h.case
def vt_slices_read_back():
    x = np.arange(2 * 3 * 4, dtype=np.float64).reshape(2, 3, 4) * 1.5
    y = np.arange(10, dtype=np.int32)
    f = write("slice.safetensors", encode([("x", x), ("y", y)],
                                          {"image": "s.png"},
                                          {"x": ["N", "H", "W"]}))
    cases = [
        ("x[1]", x[1], ["H", "W"]),
        ("x[0,1:3]", x[0, 1:3], ["H", "W"]),
        ("x[:,::2,-1]", x[:, ::2, -1], ["N", "H"]),
        ("x[W=2]", x[:, :, 2], ["N", "H"]),
        ("x[N=1,H=0:2]", x[1, 0:2], ["H", "W"]),
        ("x", x, ["N", "H", "W"]),
        ("y[::3]", y[::3], None),
        ("y[-2:]", y[-2:], None),
    ]
    for spec, want, dims in cases:
        out = path("s.safetensors")
        h.run("tensor-inspect", "--slice", spec, "-o", out, f)
        rec, end = decode_one(read("s.safetensors"))
        name = spec.split("[")[0]
        check(list(rec.tensors) == [name], "%s: tensors %r" % (spec, list(rec.tensors)))
        same_array(rec.tensors[name], want, spec)
        check(rec.dims.get(name) == dims, "%s: dims %r, expected %r" % (
            spec, rec.dims.get(name), dims))
        check(rec.metadata == {"vt.format": "1", "image": "s.png"},
              "%s: metadata %r" % (spec, rec.metadata))
    # A slice of every record of a stream, written as a stream.
    blob = b"".join(encode([("x", x + i)]) for i in range(3))
    out, _ = h.run("tensor-inspect", "--slice", "x[1,2]", "-o", "-", "-",
                   stdin=blob)
    recs = decode_stream(out)
    check(len(recs) == 3, "%d records" % len(recs))
    for i, rec in enumerate(recs):
        same_array(rec.tensors["x"], (x + i)[1, 2], "stream record %d" % i)


@h.case
def stats_match_numpy():
    rng = np.random.default_rng(5)
    arrays = [
        ("f32", rng.standard_normal((7, 5)).astype(np.float32)),
        ("f64", np.array([1.0, np.nan, np.inf, -2.0, 0.0])),
        ("f16", np.array([0.5, -1.25, 65504], np.float16)),
        ("i16", np.array([-32768, 5, 0, 32767], np.int16)),
        ("u8", np.arange(256, dtype=np.uint8)),
        ("b", np.array([True, False, True])),
    ]
    f = write("stats.safetensors", encode(arrays))
    (obj,) = h.inspect_json("--stats", f)
    got = {t["name"]: t["stats"] for t in obj["tensors"]}
    for name, a in arrays:
        s = got[name]
        v = a.astype(np.float64).ravel()
        fin = v[np.isfinite(v)]
        check(s["count"] == v.size, "%s count" % name)
        check(s["finite"] == fin.size, "%s finite" % name)
        check(s["nan"] == int(np.isnan(v).sum()), "%s nan" % name)
        check(s["inf"] == int(np.isinf(v).sum()), "%s inf" % name)
        check(s["zeros"] == int((v == 0).sum()), "%s zeros" % name)
        for key, want in (("min", fin.min()), ("max", fin.max()),
                          ("mean", fin.mean()), ("std", fin.std())):
            check(math.isclose(s[key], want, rel_tol=1e-9, abs_tol=1e-12),
                  "%s %s: %r, numpy %r" % (name, key, s[key], want))


h.finish()

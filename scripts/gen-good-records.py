#!/usr/bin/python3
"""Make the good tensor-record fixtures in test/data/records/.

    /usr/bin/python3 scripts/gen-good-records.py [REPO_ROOT]

Plain Python (struct and json only, no NumPy).  The files are committed;
rerun this only to change them.  The encoder below follows the writer rules
of DESIGN.md ("The tensor format") independently of vt's C writer, so that a
unit test can check that vt writes these exact bytes:

    u64 little-endian N | N bytes of compact JSON, "__metadata__" first with
    its keys sorted bytewise ("vt.format": "1", "vt.dims.<t>" for tensors
    with dimension names, other keys), then the tensors by dtype size
    (largest first) then name, padded with spaces so 8 + N is a multiple of
    64 | the tensor data in that order, no gaps

Files:
  small.safetensors       one record: images F32 [N=2,C=1,H=3,W=4], boxes
                          F32 [3,k=4], classes I32 [3], scale F64 scalar,
                          half F16 [3], mask U8 [2,3], valid BOOL [4];
                          metadata with escapes and non-ASCII UTF-8
  stream.vts              three records (x F32 [N=2,C=3]; record 1 also has
                          an empty tensor e F32 [0,4])
  dtypes.safetensors      one tensor per dtype, each [5], extremes included
  special.safetensors     v F32 and h F16 with NaN, +-Inf, +-0; offset F64
                          1e8 + small values (stable statistics)
  grid.safetensors        g I32 [rows=40,cols=30] = 0..1199 (summarised printing)
  no-tensors.safetensors  metadata only, no tensors
  empty.vts               zero bytes: a stream of zero records
  foreign.safetensors     as another writer may make it: no vt.format, keys
                          not sorted, header padded so that 8 + N is 3 modulo 8:
                          the F32 tensor after a 3-byte U8 tensor is not
                          aligned in the file
"""
import math
import os
import struct
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
out_dir = os.path.join(root, "test", "data", "records")
os.makedirs(out_dir, exist_ok=True)

SIZE = {"F64": 8, "I64": 8, "U64": 8, "F32": 4, "I32": 4, "U32": 4,
        "F16": 2, "BF16": 2, "I16": 2, "U16": 2, "I8": 1, "U8": 1, "BOOL": 1}
FMT = {"F64": "d", "I64": "q", "U64": "Q", "F32": "f", "I32": "i",
       "U32": "I", "F16": "e", "I16": "h", "U16": "H", "I8": "b", "U8": "B",
       "BOOL": "B"}


def bf16(x):
    """float -> bfloat16 bits, round to nearest even (via float32)."""
    (b,) = struct.unpack("<I", struct.pack("<f", x))
    if (b & 0x7fffffff) > 0x7f800000:
        return (b >> 16) | 0x40
    b += 0x7fff + ((b >> 16) & 1)
    return (b >> 16) & 0xffff


def pack(dtype, values):
    if dtype == "BF16":
        return b"".join(struct.pack("<H", bf16(v)) for v in values)
    return b"".join(struct.pack("<" + FMT[dtype], v) for v in values)


def jstr(s):
    """A JSON string as vt writes it: only '"', '\\' and control characters
    escaped (the latter as \\u00xx), everything else raw UTF-8."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


class T:
    def __init__(self, name, dtype, shape, values, dims=None):
        n = 1
        for d in shape:
            n *= d
        assert len(values) == n, name
        self.name, self.dtype, self.shape = name, dtype, list(shape)
        self.data = pack(dtype, values)
        self.dims = dims


def record(tensors, meta=None):
    """The bytes vt writes for these tensors and metadata."""
    kv = {"vt.format": "1"}
    kv.update(meta or {})
    order = sorted(tensors, key=lambda t: (-SIZE[t.dtype],
                                           t.name.encode("utf-8")))
    for t in order:
        if t.dims and any(t.dims):
            kv["vt.dims." + t.name] = ",".join(t.dims)
    keys = sorted(kv, key=lambda k: k.encode("utf-8"))
    parts = ['{"__metadata__":{',
             ",".join(jstr(k) + ":" + jstr(kv[k]) for k in keys), "}"]
    off = 0
    for t in order:
        parts.append(',%s:{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}'
                     % (jstr(t.name), t.dtype, ",".join(map(str, t.shape)),
                        off, off + len(t.data)))
        off += len(t.data)
    parts.append("}")
    js = "".join(parts).encode("utf-8")
    js += b" " * (-(8 + len(js)) % 64)
    return struct.pack("<Q", len(js)) + js + b"".join(t.data for t in order)


def put(name, blob):
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(blob)


put("small.safetensors", record([
    T("images", "F32", [2, 1, 3, 4], [(i - 10) * 0.25 for i in range(24)],
      ["N", "C", "H", "W"]),
    T("boxes", "F32", [3, 4], [0, 0, 10, 10, 5, 5, 15, 20,
                               1.5, 2.5, 3.5, 4.5], ["", "k"]),
    T("classes", "I32", [3], [3, -1, 7]),
    T("scale", "F64", [], [2.5]),
    T("half", "F16", [3], [0.5, -2.0, 65504.0]),
    T("mask", "U8", [2, 3], [0, 255, 1, 2, 3, 4]),
    T("valid", "BOOL", [4], [1, 0, 1, 1]),
], {"image": "img/0001.jpg", "width": "640", "height": "480",
    "note": 'tab\there "quoted" back\\slash caf\u00e9 \u2603'}))

put("stream.vts", b"".join(
    record([T("x", "F32", [2, 3], [10 * k + i for i in range(6)],
              ["N", "C"])]
           + ([T("e", "F32", [0, 4], [])] if k == 1 else []),
           {"index": str(k), "image": "%d.jpg" % k})
    for k in range(3)))

put("dtypes.safetensors", record([
    T("f64", "F64", [5], [-1.5, 0.0, 0.25, 1e300, -1e-300]),
    T("f32", "F32", [5], [-1.5, 0.0, 0.25, 3.0e38, 1.0e-45]),
    T("f16", "F16", [5], [-1.5, 0.0, 0.25, 65504.0, 2.0 ** -24]),
    T("bf16", "BF16", [5], [-1.5, 0.0, 0.25, 3.0e38, 1.0]),
    T("i64", "I64", [5], [-2 ** 63, -1, 0, 1, 2 ** 63 - 1]),
    T("i32", "I32", [5], [-2 ** 31, -1, 0, 1, 2 ** 31 - 1]),
    T("i16", "I16", [5], [-2 ** 15, -1, 0, 1, 2 ** 15 - 1]),
    T("i8", "I8", [5], [-128, -1, 0, 1, 127]),
    T("u64", "U64", [5], [0, 1, 2, 3, 2 ** 64 - 1]),
    T("u32", "U32", [5], [0, 1, 2, 3, 2 ** 32 - 1]),
    T("u16", "U16", [5], [0, 1, 2, 3, 2 ** 16 - 1]),
    T("u8", "U8", [5], [0, 1, 2, 3, 255]),
    T("bool", "BOOL", [5], [0, 1, 1, 0, 1]),
]))

put("special.safetensors", record([
    T("v", "F32", [8], [1.5, math.nan, math.inf, -math.inf, 0.0, -0.0,
                        -2.5, 3.0]),
    T("h", "F16", [2, 3], [math.nan, math.nan, 1.0, -0.0, math.inf, 2.0],
      ["", "W"]),
    T("offset", "F64", [6], [1e8 + 0.5, 1e8 - 0.5, 1e8 + 1.5, 1e8 - 1.5,
                             1e8 + 0.25, 1e8 - 0.25]),
]))

put("grid.safetensors", record([T("g", "I32", [40, 30], list(range(1200)),
                                  ["rows", "cols"])]))

put("no-tensors.safetensors", record([], {"source": "gen-good-records"}))

put("empty.vts", b"")

# Another writer's record: no vt.format, "b" before "a" in the header, and
# 8 + N = 3 modulo 8, so tensor b (F32, after the 3 bytes of a) starts at a
# file offset that is 2 modulo 4.
head = ('{"b":{"dtype":"F32","shape":[2],"data_offsets":[3,11]},'
        '"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]}}').encode()
head += b" " * (-(8 + len(head) - 3) % 8)
assert (8 + len(head)) % 8 == 3
put("foreign.safetensors", struct.pack("<Q", len(head)) + head
    + bytes([7, 8, 9]) + pack("F32", [1.25, -2.0]))

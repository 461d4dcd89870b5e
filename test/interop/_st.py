"""Safetensors records with numpy only (no safetensors package), for the
interop tests and the fuzz seeds.  A record is

    u64 little-endian N | N bytes of JSON, space-padded | tensor data

and a stream is records back to back (see vt-tensor(5)).  Not a test: the
runner skips files whose names start with '_'.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

import numpy as np

# safetensors dtype name <-> numpy dtype (little-endian).
DTYPES = {
    "F16": "<f2", "F32": "<f4", "F64": "<f8",
    "I8": "|i1", "I16": "<i2", "I32": "<i4", "I64": "<i8",
    "U8": "|u1", "U16": "<u2", "U32": "<u4", "U64": "<u8",
    "BOOL": "|b1",
}
NAMES = {np.dtype(v).str: k for k, v in DTYPES.items()}


def st_name(dtype):
    dt = np.dtype(dtype).newbyteorder("<") if np.dtype(dtype).itemsize > 1 \
        else np.dtype(dtype)
    return NAMES[dt.str]


def encode(tensors, metadata=None, dims=None, ensure_ascii=True, align=64):
    """One record.  tensors: list of (name, ndarray) in data order;
    dims: {tensor name: ["N", "", ...]}.  The header is json.dumps output
    padded with spaces so that 8 + N is a multiple of align."""
    meta = dict(metadata or {})
    for name, names in (dims or {}).items():
        meta["vt.dims." + name] = ",".join(names)
    header = {}
    if meta:
        header["__metadata__"] = meta
    blobs, off = [], 0
    for name, a in tensors:
        a = np.asarray(a)
        b = np.ascontiguousarray(a.astype(a.dtype.newbyteorder("<"))).tobytes() \
            if a.dtype.itemsize > 1 else np.ascontiguousarray(a).tobytes()
        header[name] = {"dtype": st_name(a.dtype), "shape": list(a.shape),
                        "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    js = json.dumps(header, ensure_ascii=ensure_ascii).encode("utf-8")
    js += b" " * (-(8 + len(js)) % align)
    return struct.pack("<Q", len(js)) + js + b"".join(blobs)


class Record:
    def __init__(self, tensors, metadata, dims, header_bytes):
        self.tensors = tensors      # {name: ndarray}, in data order
        self.metadata = metadata    # __metadata__ without vt.dims.*
        self.dims = dims            # {name: [dim names]}
        self.header_bytes = header_bytes

    def __repr__(self):
        return "Record(%s, meta=%r, dims=%r)" % (
            {k: (v.dtype.str, v.shape) for k, v in self.tensors.items()},
            self.metadata, self.dims)


def _no_dups(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise ValueError("duplicate key %r" % k)
        d[k] = v
    return d


def decode_one(buf, pos=0, strict_padding=True):
    """Parse the record at buf[pos:]; return (Record, end position).  Checks
    what vt promises to write: 8 + N a multiple of 64, contiguous data."""
    if len(buf) - pos < 8:
        raise ValueError("truncated length at %d" % pos)
    (n,) = struct.unpack_from("<Q", buf, pos)
    if n > len(buf) - pos - 8:
        raise ValueError("header of %d bytes runs past the end" % n)
    if strict_padding and (8 + n) % 64:
        raise ValueError("8 + N = %d is not a multiple of 64" % (8 + n))
    raw = bytes(buf[pos + 8:pos + 8 + n])
    text = raw.decode("utf-8")
    obj = json.JSONDecoder(object_pairs_hook=_no_dups).raw_decode(text)
    header, end = obj
    if text[end:].strip(" "):
        raise ValueError("bytes after the header object")
    meta = header.pop("__metadata__", {})
    data0 = pos + 8 + n
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0])
    tensors, at = {}, 0
    for name, e in entries:
        if set(e) != {"dtype", "shape", "data_offsets"}:
            raise ValueError("tensor %r has keys %r" % (name, sorted(e)))
        b, eo = e["data_offsets"]
        if b != at:
            raise ValueError("tensor %r starts at %d, expected %d" % (name, b, at))
        dt = np.dtype(DTYPES[e["dtype"]])
        shape = tuple(e["shape"])
        count = int(np.prod(shape, dtype=np.int64))
        if eo - b != count * dt.itemsize:
            raise ValueError("tensor %r: %d bytes for shape %r" % (name, eo - b, shape))
        if data0 + eo > len(buf):
            raise ValueError("tensor %r runs past the end" % name)
        tensors[name] = np.frombuffer(bytes(buf[data0 + b:data0 + eo]),
                                      dtype=dt).reshape(shape)
        at = eo
    dims = {}
    for k in list(meta):
        if k.startswith("vt.dims."):
            dims[k[8:]] = meta.pop(k).split(",")
    for name, names in dims.items():
        if name not in tensors or len(names) != tensors[name].ndim:
            raise ValueError("bad vt.dims entry for %r" % name)
    return Record(tensors, meta, dims, raw), data0 + at


def decode_stream(buf, strict_padding=True):
    out, pos = [], 0
    while pos < len(buf):
        rec, pos = decode_one(buf, pos, strict_padding)
        out.append(rec)
    return out


# Small test harness shared by the interop scripts.

class Harness:
    def __init__(self, name):
        self.name = name
        self.bin = os.environ.get("VT_BIN", "bin")
        self.passed = 0
        self.failed = 0
        self.tmp = tempfile.mkdtemp(prefix="vt-interop-%s." % name)

    def run(self, tool, *args, stdin=None, expect=0):
        """Run a vt tool; return (stdout bytes, stderr text)."""
        p = subprocess.run([os.path.join(self.bin, tool)] + [str(a) for a in args],
                           input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode != expect:
            raise AssertionError("%s %s: exit %d, expected %d\n%s" % (
                tool, " ".join(map(str, args)), p.returncode, expect, err))
        return p.stdout, err

    def inspect_json(self, *args, stdin=None):
        """tensor-inspect --json: one JSON object per record per line."""
        out, _ = self.run("tensor-inspect", "--json", *args, stdin=stdin)
        return [json.loads(line) for line in out.decode("utf-8").splitlines()
                if line.strip()]

    def case(self, fn):
        try:
            fn()
        except Exception as e:  # report every failure, keep going
            self.failed += 1
            print("FAIL %s: %s: %s: %s" % (self.name, fn.__name__,
                                           type(e).__name__, e))
        else:
            self.passed += 1
        return fn

    def case_xfail(self, reason):
        """A case that fails for a known reason (reported to its owner):
        XFAIL does not count as a failure; an XPASS asks for the marker to
        be removed but counts as a pass."""
        def wrap(fn):
            try:
                fn()
            except Exception as e:
                print("XFAIL %s: %s: %s (%s: %s)" % (
                    self.name, fn.__name__, reason, type(e).__name__, e))
            else:
                self.passed += 1
                print("XPASS %s: %s: fixed? remove the xfail marker" % (
                    self.name, fn.__name__))
            return fn
        return wrap

    def finish(self):
        shutil.rmtree(self.tmp, ignore_errors=True)
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def same_array(a, b, what):
    """Same dtype, shape and bytes (so NaN payloads and -0.0 count)."""
    a, b = np.asarray(a), np.asarray(b)
    check(a.dtype.str == b.dtype.str or (a.dtype.itemsize == 1 and
          a.dtype.kind == b.dtype.kind and a.dtype.itemsize == b.dtype.itemsize),
          "%s: dtype %s, expected %s" % (what, a.dtype.str, b.dtype.str))
    check(a.shape == b.shape, "%s: shape %s, expected %s" % (what, a.shape, b.shape))
    check(np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes(),
          "%s: bytes differ" % what)

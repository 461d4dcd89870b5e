#!/usr/bin/python3
"""Make the malformed tensor records test/data/bad/bad-*.safetensors and
bad-*.vts: one file for each rule a reader checks (DESIGN.md, "The tensor
format"), and a line for each in test/data/bad/README.

    /usr/bin/python3 scripts/gen-bad-records.py [REPO_ROOT]

Plain Python (struct only).  The files are committed; rerun this only to
change them.  Unless a rule is about the layout itself, each file is a
well-formed record (header padded with spaces so that 8 + N is a multiple of
64, data exactly as long as the header says) with one thing wrong.
"""
import os
import struct
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
bad = os.path.join(root, "test", "data", "bad")
os.makedirs(bad, exist_ok=True)

F32x2 = struct.pack("<2f", 1.0, 2.0)      # the 8 data bytes of x
META = '"__metadata__":{"vt.format":"1"}'
X = '"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'


def rec(header, data=b"", pad=True, n=None):
    """One record: the length, the header (padded unless pad is False), the
    data.  n overrides the length field."""
    h = header.encode("utf-8") if isinstance(header, str) else header
    if pad:
        h += b" " * (-(8 + len(h)) % 64)
    return struct.pack("<Q", len(h) if n is None else n) + h + data


def obj(*members):
    return "{" + ",".join(members) + "}"


def x_with(fields):
    """Tensor x with these entry fields (JSON text) and its 8 data bytes."""
    return rec(obj(META, '"x":{' + fields + "}"), F32x2)


def dims(value, entry=X, data=F32x2, key="x"):
    return rec(obj('"__metadata__":{"vt.dims.%s":"%s","vt.format":"1"}'
                   % (key, value), entry), data)


X23 = '"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}'
D24 = bytes(24)
GOOD = rec(obj(META, X), F32x2)

FILES = [
    # the length and the layout
    ("empty.safetensors", b"", "zero bytes where one record is expected"),
    ("header-limit.safetensors", rec("{}", n=(16 << 20) + 1),
     "header length 16 MiB + 1, over the default limit"),
    ("header-huge.safetensors", rec("{}", n=2 ** 64 - 1),
     "header length 2^64-1"),
    ("header-past-end.safetensors", rec("{}", n=1000),
     "header length 1000 in a 64-byte file"),
    ("header-zero.safetensors", rec(b"", pad=False),
     "header length 0 (an empty header)"),
    ("truncated-data.safetensors", rec(obj(META, X), F32x2[:4]),
     "4 of the 8 data bytes"),
    ("trailing-bytes.safetensors", rec(obj(META, X), F32x2 + b"abc"),
     "3 bytes after the only record of a .safetensors file"),
    ("truncated-length.vts", GOOD + b"\x40\x00\x00",
     "stream: a good record, then 3 of the 8 length bytes"),
    ("truncated-header.vts", GOOD + struct.pack("<Q", 120) + b"{" + b" " * 29,
     "stream: a good record, then a 120-byte header cut after 30"),
    ("truncated-data.vts", GOOD + rec(obj(META, X), F32x2[:5]),
     "stream: a good record, then one with 5 of its 8 data bytes"),
    # the header text
    ("not-utf8.safetensors", rec(b'{"__metadata__":{"a":"\xff"}}'),
     "byte 0xff in a string"),
    ("not-utf8-overlong.safetensors",
     rec(b'{"__metadata__":{"a":"\xc0\xaf"}}'), "overlong encoding of '/'"),
    ("not-utf8-surrogate.safetensors",
     rec(b'{"__metadata__":{"a":"\xed\xa0\x80"}}'), "UTF-8 encoded surrogate"),
    ("no-brace.safetensors", rec('["x"]'), "a JSON array, not an object"),
    ("leading-space.safetensors", rec(" {}"), "a space before '{'"),
    ("trailing-garbage.safetensors", rec("{}x"), "'x' after the object"),
    ("two-objects.safetensors", rec("{} {}"), "a second object after the first"),
    ("pad-newline.safetensors", rec("{}\n"), "padded with a newline"),
    ("pad-nul.safetensors", rec(b"{}\0\0\0"), "padded with NUL bytes"),
    ("json-bad-escape.safetensors", rec(r'{"__metadata__":{"a":"\q"}}'),
     "escape \\q"),
    ("json-bad-hex.safetensors", rec(r'{"__metadata__":{"a":"\u12g4"}}'),
     "\\u escape with a non-hex digit"),
    ("json-short-hex.safetensors", rec(r'{"__metadata__":{"a":"\u12"}}'),
     "\\u escape with 2 hex digits"),
    ("json-lone-surrogate.safetensors",
     rec(r'{"__metadata__":{"a":"\ud800"}}'), "high surrogate alone"),
    ("json-lone-low-surrogate.safetensors",
     rec(r'{"__metadata__":{"a":"\udc00x"}}'), "low surrogate alone"),
    ("json-bad-surrogate-pair.safetensors",
     rec(r'{"__metadata__":{"a":"\ud800\u0041"}}'),
     "high surrogate followed by a non-surrogate"),
    ("json-nul-escape.safetensors", rec(r'{"__metadata__":{"a":"\u0000"}}'),
     "\\u0000 (NUL) in a string"),
    ("json-unterminated.safetensors", rec('{"__metadata__":{"a":"b'),
     "a string that runs to the end of the header"),
    ("json-control-char.safetensors", rec('{"__metadata__":{"a":"b\nc"}}'),
     "a raw newline inside a string"),
    ("json-trailing-comma.safetensors", rec("{" + META + "," + X + ",}", F32x2),
     "a comma before the closing '}'"),
    ("json-missing-colon.safetensors",
     rec('{"__metadata__" {"vt.format":"1"}}'), "no ':' after a key"),
    ("json-unclosed.safetensors", rec("{" + META + "," + X, F32x2),
     "the object is never closed"),
    ("json-single-quotes.safetensors", rec("{'x':{}}"), "a single-quoted key"),
    # keys
    ("dup-tensor.safetensors", rec(obj(META, X, X), F32x2),
     "tensor x twice"),
    ("dup-metadata.safetensors", rec(obj(META, META, X), F32x2),
     "__metadata__ twice"),
    ("dup-meta-key.safetensors",
     rec(obj('"__metadata__":{"a":"1","a":"2"}', X), F32x2),
     "key a twice inside __metadata__"),
    ("metadata-not-object.safetensors", rec(obj('"__metadata__":"x"', X), F32x2),
     "__metadata__ is a string"),
    ("meta-value-number.safetensors",
     rec(obj('"__metadata__":{"a":1}', X), F32x2),
     "a metadata value that is a number"),
    ("meta-value-object.safetensors",
     rec(obj('"__metadata__":{"a":{}}', X), F32x2),
     "a metadata value that is an object"),
    # tensor entries
    ("entry-not-object.safetensors", rec(obj(META, '"x":[0,8]'), F32x2),
     "tensor entry is an array"),
    ("entry-empty.safetensors", rec(obj(META, '"x":{}')), "tensor entry {}"),
    ("entry-missing-key.safetensors",
     x_with('"dtype":"F32","shape":[2]'), "no data_offsets"),
    ("entry-extra-key.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":[0,8],"strides":[1]'),
     "an extra key 'strides'"),
    ("entry-dup-key.safetensors",
     x_with('"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]'),
     "dtype twice"),
    ("dtype-unknown.safetensors",
     x_with('"dtype":"F8","shape":[8],"data_offsets":[0,8]'), "dtype F8"),
    ("dtype-lowercase.safetensors",
     x_with('"dtype":"f32","shape":[2],"data_offsets":[0,8]'), "dtype f32"),
    ("dtype-not-string.safetensors",
     x_with('"dtype":4,"shape":[2],"data_offsets":[0,8]'), "dtype 4"),
    ("shape-not-array.safetensors",
     x_with('"dtype":"F32","shape":2,"data_offsets":[0,8]'), "shape 2"),
    ("shape-negative.safetensors",
     x_with('"dtype":"F32","shape":[-2],"data_offsets":[0,8]'), "shape [-2]"),
    ("shape-fraction.safetensors",
     x_with('"dtype":"F32","shape":[2.0],"data_offsets":[0,8]'), "shape [2.0]"),
    ("shape-exponent.safetensors",
     x_with('"dtype":"F32","shape":[2e0],"data_offsets":[0,8]'), "shape [2e0]"),
    ("shape-leading-zero.safetensors",
     x_with('"dtype":"F32","shape":[02],"data_offsets":[0,8]'), "shape [02]"),
    ("shape-string.safetensors",
     x_with('"dtype":"F32","shape":["2"],"data_offsets":[0,8]'),
     'shape ["2"]'),
    ("shape-too-big.safetensors",
     x_with('"dtype":"U8","shape":[281474976710656],"data_offsets":[0,8]'),
     "a dimension of 2^48"),
    ("shape-rank9.safetensors",
     x_with('"dtype":"F32","shape":[1,1,1,1,1,1,1,1,2],"data_offsets":[0,8]'),
     "rank 9"),
    ("offsets-not-array.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":8'), "data_offsets 8"),
    ("offsets-one.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":[8]'),
     "data_offsets [8]"),
    ("offsets-three.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":[0,8,8]'),
     "data_offsets [0,8,8]"),
    ("offsets-negative.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":[-0,8]'),
     "data_offsets [-0,8]"),
    ("offsets-fraction.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":[0,8.0]'),
     "data_offsets [0,8.0]"),
    ("offsets-too-big.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":[0,281474976710656]'),
     "an offset of 2^48"),
    ("offsets-reversed.safetensors",
     x_with('"dtype":"F32","shape":[2],"data_offsets":[8,0]'),
     "data_offsets [8,0]: end before begin"),
    ("offsets-span.safetensors",
     rec(obj(META, '"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}'),
         F32x2[:4]), "F32 [2] in 4 bytes"),
    ("numel-overflow.safetensors",
     x_with('"dtype":"U8","shape":[281474976710655,281474976710655],'
            '"data_offsets":[0,8]'), "(2^48-1)^2 elements"),
    ("bytes-overflow.safetensors",
     x_with('"dtype":"F32","shape":[70368744177664],"data_offsets":[0,8]'),
     "2^46 F32 elements: 2^48 bytes"),
    ("hole.safetensors",
     rec(obj(META, '"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}',
             '"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}'),
         bytes(12)), "4 unused bytes between a and b"),
    ("overlap.safetensors",
     rec(obj(META, '"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}',
             '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}'),
         bytes(12)), "b starts inside a"),
    ("first-not-zero.safetensors",
     rec(obj(META, '"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}'),
         bytes(12)), "the only tensor starts at 4"),
    # names
    ("name-empty.safetensors",
     rec(obj(META, '"":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'),
         F32x2), "tensor name \"\""),
    ("name-control.safetensors",
     rec(obj(META, r'"a\u0007b":{"dtype":"F32","shape":[2],'
             r'"data_offsets":[0,8]}'), F32x2),
     "tensor name with a BEL character"),
    ("name-metadata.safetensors",
     rec('{"__metadata__":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}',
         F32x2), "a tensor entry under the key __metadata__"),
    ("name-too-long.safetensors",
     rec(obj(META, '"%s":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'
             % ("a" * 256)), F32x2), "a 256-byte tensor name"),
    # vt metadata
    ("dims-missing-tensor.safetensors", dims("N", key="y"),
     "vt.dims.y without a tensor y"),
    ("dims-too-few.safetensors", dims("N", X23, D24), "one name for rank 2"),
    ("dims-too-many.safetensors", dims("N,C"), "two names for rank 1"),
    ("dims-invalid-name.safetensors", dims("2x"),
     "dimension name starting with a digit"),
    ("dims-long-name.safetensors", dims("A" * 33), "a 33-byte dimension name"),
    ("dims-dup-name.safetensors", dims("N,N", X23, D24), "N twice"),
    ("dims-rank0.safetensors",
     dims("N", '"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}',
          F32x2[:4]), "a dimension name for a scalar"),
    ("vt-format.safetensors",
     rec(obj('"__metadata__":{"vt.format":"2"}', X), F32x2),
     "vt.format \"2\""),
]

names = [n for n, _, _ in FILES]
assert len(names) == len(set(names))
for name, blob, _ in FILES:
    with open(os.path.join(bad, "bad-" + name), "wb") as f:
        f.write(blob)

# Append (or refresh) this script's section of the README, keeping the
# entries that other scripts write there.
readme = os.path.join(bad, "README")
begin = "Tensor records (made by scripts/gen-bad-records.py; tensor-inspect " \
        "refuses each:\nsee test/cli/tensor-inspect/bad-*.err for the message):\n"
end = "(end of gen-bad-records.py entries)\n"
section = begin + "".join("%-38s %s\n" % ("bad-" + n, why)
                          for n, _, why in FILES) + end
old = open(readme).read() if os.path.exists(readme) else ""
if begin in old and end in old:
    i = old.index(begin)
    j = old.index(end, i) + len(end)
    new = old[:i] + section + old[j:]
else:
    new = old + ("\n" if old and not old.endswith("\n\n") else "") + section
with open(readme, "w") as f:
    f.write(new)

# An IDX file (gzip) as tensor input: N,H,W becomes "images" U8 N,C,H,W with
# C = 1; pixels outside the logged squares unchanged, inside 0.  A truncated
# IDX file is refused naming it (exit 65) and leaves no output.
/usr/bin/python3 - "$T" <<'PY' || exit 9
import gzip, struct, sys
import numpy as np
a = (np.arange(4 * 9 * 7) * 37 % 251 + 1).astype(np.uint8).reshape(4, 9, 7)
h = bytes([0, 0, 8, 3]) + struct.pack(">III", *a.shape)
open(sys.argv[1] + "/x-idx3-ubyte.gz", "wb").write(gzip.compress(h + a.tobytes(), mtime=0))
open(sys.argv[1] + "/short-idx3-ubyte", "wb").write(h + a.tobytes()[:-1])
np.save(sys.argv[1] + "/a.npy", a)
PY
cutout-aug --length 4 --seed 3 --log "$T/log" -o "$T/out.safetensors" "$T/x-idx3-ubyte.gz" || exit 1
tensor-inspect "$T/out.safetensors" | sed "s|$T|T|"
/usr/bin/python3 - "$T" <<'PY'
import json, struct, sys
import numpy as np
t = sys.argv[1]
a = np.load(t + "/a.npy")
b = open(t + "/out.safetensors", "rb").read()
n = struct.unpack("<Q", b[:8])[0]
hdr = json.loads(b[8:8 + n])
o = np.frombuffer(b[8 + n:], np.uint8).reshape(4, 1, 9, 7)[:, 0]
for line in open(t + "/log"):
    r = json.loads(line)
    m = np.zeros((9, 7), bool)
    for x1, y1, x2, y2 in r["rects"]:
        m[y1:y2, x1:x2] = True
    i = r["item"]
    assert (o[i][~m] == a[i][~m]).all() and (o[i][m] == 0).all(), i
print(hdr["__metadata__"]["vt.dims.images"], "checked")
PY
cutout-aug --length 4 -o "$T/bad.safetensors" "$T/short-idx3-ubyte" 2>&1 | sed "s|$T|T|"
echo "exit ${PIPESTATUS[0]}"
ls "$T" | grep -c bad || true

# vt's PNG encoder read back by PIL: grey, grey+alpha, RGB and RGBA at odd
# sizes, noisy and flat; -p 0 writes every pixel unchanged, and after erasing
# every pixel outside the logged rectangles is unchanged, inside it is 0.
py=/usr/bin/python3
"$py" - "$T" <<'PY' || exit 9
import os, sys
import numpy as np
from PIL import Image
d = os.path.join(sys.argv[1], "in")
os.makedirs(d)
rng = np.random.default_rng(3)
for mode, c in (("L", 1), ("LA", 2), ("RGB", 3), ("RGBA", 4)):
    for h, w in ((1, 1), (1, 17), (17, 1), (33, 19), (64, 3)):
        for kind in ("noise", "flat"):
            a = (rng.integers(0, 256, (h, w, c)) if kind == "noise"
                 else np.full((h, w, c), 77) + (np.arange(w) // 5)[None, :, None])
            a = a.astype(np.uint8)
            Image.fromarray(a[..., 0] if c == 1 else a, mode).save(
                os.path.join(d, f"{mode}-{h}x{w}-{kind}.png"))
PY
cutout-aug -q -p 0 --length 1 -o "$T/same" "$T/in" || exit 1
cutout-aug -q --mode erase --holes 3 --seed 5 --log "$T/log" -o "$T/cut" "$T/in" || exit 1
"$py" - "$T" <<'PY'
import json, os, sys
import numpy as np
from PIL import Image
t = sys.argv[1]
def load(p):
    a = np.asarray(Image.open(p))
    return a[..., None] if a.ndim == 2 else a
n = 0
for name in sorted(os.listdir(os.path.join(t, "in"))):
    a = load(os.path.join(t, "in", name))
    b = load(os.path.join(t, "same", name))
    assert b.shape == a.shape and (a == b).all(), name
    n += 1
for line in open(os.path.join(t, "log")):
    r = json.loads(line)
    a = load(r["input"])
    b = load(r["output"])
    m = np.zeros(a.shape[:2], bool)
    for x1, y1, x2, y2 in r["rects"]:
        m[y1:y2, x1:x2] = True
    assert b.shape == a.shape, r["output"]
    assert (b[~m] == a[~m]).all() and (b[m] == 0).all(), r["output"]
    n += 1
print("PIL read back", n, "PNG files exactly")
PY

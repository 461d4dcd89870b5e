#!/usr/bin/env python3
"""Write test/data/mapeval/records: one small case as COCO JSON and as
detection records (DESIGN.md), with integer boxes so that both give the
same doubles.  Standard library only (the records are written by hand)."""
import json
import os
import struct
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "test/data/mapeval/records"
os.makedirs(out, exist_ok=True)

images = [(1, "a.jpg", 64, 48), (2, "sub/b.jpg", 80, 60), (5, "c.jpg", 32, 32)]
cats = [(3, "cat"), (7, "dog")]
# image id, category id, x1, y1, x2, y2, iscrowd
gts = [(1, 3, 2, 2, 20, 30, 0), (1, 7, 30, 5, 60, 40, 0),
       (1, 7, 0, 0, 64, 48, 1), (2, 3, 10, 10, 40, 50, 0),
       (2, 3, 42, 8, 78, 58, 0), (2, 7, 5, 30, 25, 58, 0),
       (5, 7, 1, 1, 31, 31, 0)]
# image id, category id, x1, y1, x2, y2, score
dts = [(1, 3, 3, 2, 21, 29, 0.9), (1, 7, 31, 6, 59, 40, 0.8),
       (1, 7, 2, 2, 20, 20, 0.8), (1, 3, 40, 30, 60, 46, 0.3),
       (2, 3, 11, 12, 41, 49, 0.7), (2, 3, 44, 10, 70, 50, 0.7),
       (2, 7, 6, 28, 26, 58, 0.5), (2, 7, 50, 2, 70, 20, 0.25),
       (5, 3, 1, 1, 31, 31, 0.6), (5, 7, 2, 2, 30, 31, 0.55)]

gt = {"images": [{"id": i, "file_name": f, "width": w, "height": h}
                 for i, f, w, h in images],
      "categories": [{"id": c, "name": n} for c, n in cats],
      "annotations": [{"id": k + 1, "image_id": g[0], "category_id": g[1],
                       "bbox": [g[2], g[3], g[4] - g[2], g[5] - g[3]],
                       "area": (g[4] - g[2]) * (g[5] - g[3]),
                       "iscrowd": g[6]} for k, g in enumerate(gts)]}
dt = [{"image_id": d[0], "category_id": d[1],
       "bbox": [d[2], d[3], d[4] - d[2], d[5] - d[3]], "score": d[6]}
      for d in dts]
with open(os.path.join(out, "gt.json"), "w") as f:
    json.dump(gt, f)
with open(os.path.join(out, "dt.json"), "w") as f:
    json.dump(dt, f)
with open(os.path.join(out, "names"), "w") as f:
    f.write("dog\ncat\n")


def record(meta, tensors):
    """tensors: (name, dtype, shape, bytes), already in disk order."""
    head = {"__metadata__": dict({"vt.format": "1"}, **meta)}
    off = 0
    for name, dt_, shape, data in tensors:
        head[name] = {"dtype": dt_, "shape": shape,
                      "data_offsets": [off, off + len(data)]}
        off += len(data)
    js = json.dumps(head, separators=(",", ":")).encode()
    js += b" " * ((-(8 + len(js))) % 64)
    return struct.pack("<Q", len(js)) + js + b"".join(t[3] for t in tensors)


catidx = {c: k for k, (c, _) in enumerate(cats)}
named = {"dog": 0, "cat": 1}
catname = dict(cats)


def stream(rows, gtrec, names):
    b = b""
    # a path prefix on a.jpg: found by its base name
    for i, f, w, h in images:
        rs = [r for r in rows if r[0] == i]
        boxes = b"".join(struct.pack("<4f", *r[2:6]) for r in rs)
        cls = [named[catname[r[1]]] if names else catidx[r[1]] for r in rs]
        ts = [("boxes", "F32", [len(rs), 4], boxes),
              ("classes", "I32", [len(rs)], struct.pack("<%di" % len(rs), *cls))]
        if gtrec:
            ts.append(("iscrowd", "U8", [len(rs)], bytes(r[6] for r in rs)))
        else:
            ts.append(("scores", "F32", [len(rs)],
                       struct.pack("<%df" % len(rs), *[r[6] for r in rs])))
        img = "imgs/" + f if f == "a.jpg" and not gtrec else f
        b += record({"image": img, "width": str(w), "height": str(h)}, ts)
    return b


for fname, rows, g, n in (("dt.vts", dts, False, False),
                          ("dt-named.vts", dts, False, True),
                          ("gt.vts", gts, True, False)):
    with open(os.path.join(out, fname), "wb") as f:
        f.write(stream(rows, g, n))

# The same case as YOLO label directories; image sizes that are powers of
# two keep the normalised numbers exact, so the numbers equal the COCO run.
import zlib

ysize = {1: (64, 64), 2: (128, 64), 5: (32, 32)}
stem = {i: os.path.splitext(os.path.basename(f))[0] for i, f, _, _ in images}
yd = os.path.join(out, "yolo")
for sub in ("gt", "dt", "images"):
    os.makedirs(os.path.join(yd, sub), exist_ok=True)
with open(os.path.join(yd, "names"), "w") as f:
    f.write("cat\ndog\n")
with open(os.path.join(yd, "sizes"), "w") as f:
    for i, fn, _, _ in images:
        f.write("%s %d %d\n" % (fn, *ysize[i]))


def png(w, h):
    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    raw = b"".join(b"\0" + b"\x80" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


for i, fn, _, _ in images:
    W, H = ysize[i]
    with open(os.path.join(yd, "images", stem[i] + ".png"), "wb") as f:
        f.write(png(W, H))
    for sub, rows, g in (("gt", gts, True), ("dt", dts, False)):
        with open(os.path.join(yd, sub, stem[i] + ".txt"), "w") as f:
            for r in rows:
                if r[0] != i:
                    continue
                if g and r[6]:
                    continue  # YOLO labels have no crowd regions
                v = [catidx[r[1]], (r[2] + r[4]) / 2 / W, (r[3] + r[5]) / 2 / H,
                     (r[4] - r[2]) / W, (r[5] - r[3]) / H]
                if not g:
                    v.append(r[6])
                f.write(" ".join(repr(x) for x in v) + "\n")
# the COCO ground truth without the crowd region, for comparison
gt["annotations"] = [a for a in gt["annotations"] if not a["iscrowd"]]
with open(os.path.join(yd, "gt-nocrowd.json"), "w") as f:
    json.dump(gt, f)

"""Interop: yolo-detect against Debian's darknet binary (pjreddie's code),
run live on a generated model; skipped with a message when darknet is not
installed (apt-get install darknet).

The model is configs/yolo/yolov3-tiny.cfg at 160x160 with weights from
yolo-detect --synth-weights; the images four generated PNGs named 1.png to
4.png (darknet's COCO image ids).  Two comparisons:

- `darknet detector valid` with eval=coco writes every detection over
  thresh 0.005 after NMS 0.45 to results/coco_results.json, as [x, y, w,
  h] with scores, 6 decimals, the left and top edges clamped at 0 and the
  right and bottom ones at the image size (one side each: a box in the
  letterbox's border gets a negative height): the same set as yolo-detect
  --format coco --thresh 0.005 with that clamp applied here (category ids
  mapped back from darknet's COCO ids), each score within 1e-4 and each
  box coordinate within 1e-3 pixel + 1e-4 relative, ignoring candidates
  within 1e-3 of the threshold.  (darknet's validator starts 4 loader threads on
  the first 4 paths unchecked: it crashes on fewer than 4 images.)
- `darknet detector test ... -thresh T -out pred` prints only "name: NN%"
  per detection (no coordinates): the same multiset of names and rounded
  percentages as yolo-detect's text output at --thresh T (T = 0.07: the
  synthetic model's scores at this size are all below 0.1).
"""
import json
import os
import re
import shutil
import subprocess

import numpy as np

from _st import Harness, check

h = Harness("yolo_darknet")
DARKNET = shutil.which("darknet")
NAMES = "configs/yolo/coco.names"
TEST_THRESH = 0.07
SIZES = [(500, 375), (300, 420), (640, 480), (256, 256)]
COCO_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19,
            20, 21, 22, 23, 24, 25, 27, 28, 31, 32, 33, 34, 35, 36, 37, 38,
            39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55,
            56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75,
            76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90]
if not DARKNET:
    print("yolo_darknet: darknet not installed (apt-get install darknet): "
          "skipped")


def tmp(*parts):
    return os.path.join(h.tmp, *parts)


def png(path, w, h_, seed):
    """An RGB PNG of smooth colour fields, blocks and noise (numpy + zlib)."""
    import struct
    import zlib
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h_, 0:w].astype(np.float64)
    img = np.stack([128 + 100 * np.sin(x / (20 + 9 * c + seed) + c) *
                    np.cos(y / (15 + 5 * c) - seed) for c in range(3)], -1)
    for _ in range(4):
        x0, y0 = rng.integers(0, w - 40), rng.integers(0, h_ - 40)
        img[y0:y0 + rng.integers(20, h_ // 2), x0:x0 + rng.integers(20, w // 2)] = \
            rng.integers(0, 256, 3)
    img = np.clip(img + rng.normal(0, 10, img.shape), 0, 255).astype(np.uint8)
    raw = b"".join(b"\0" + img[r].tobytes() for r in range(h_))

    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, h_, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def setup():
    """The model and images (once): cfg, weights, image paths."""
    cfg = tmp("m.cfg")
    if not os.path.exists(cfg):
        text = open("configs/yolo/yolov3-tiny.cfg").read()
        text = re.sub(r"^width=.*$", "width=160", text, flags=re.M)
        text = re.sub(r"^height=.*$", "height=160", text, flags=re.M)
        open(cfg, "w").write(text)
        h.run("yolo-detect", "-c", cfg, "--synth-weights", tmp("m.weights"),
              "--seed", "3")
        for i, (w, h_) in enumerate(SIZES, 1):
            png(tmp("%d.png" % i), w, h_, i)
    return cfg, tmp("m.weights"), [tmp("%d.png" % i)
                                   for i in range(1, len(SIZES) + 1)]


def darknet(*args):
    p = subprocess.run([DARKNET] + list(args), cwd=h.tmp,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=300)
    check(p.returncode == 0, "darknet %s: exit %d\n%s" % (
        " ".join(args), p.returncode, p.stderr.decode()[-500:]))
    return p.stdout.decode()


def close(a, b, rel=1e-4, abs_=1e-3):
    return abs(a - b) <= abs_ + rel * abs(b)


@h.case
def valid_boxes_equal_darknet():
    if not DARKNET:
        return
    cfg, weights, images = setup()
    # relative to darknet's working directory: darknet takes the image id
    # from the text after the path's last '_' or else '/' (and crashes
    # without either)
    with open(tmp("valid.txt"), "w") as f:
        f.write("".join("./%s\n" % os.path.basename(i) for i in images))
    os.makedirs(tmp("res"), exist_ok=True)
    with open(tmp("v.data"), "w") as f:
        f.write("classes=80\nnames=%s\nvalid=%s\neval=coco\nresults=res\n" %
                (os.path.abspath(NAMES), tmp("valid.txt")))
    darknet("detector", "valid", tmp("v.data"), cfg, weights)
    # darknet writes "[\n{...},\n{...},\n" and then turns the last ",\n"
    # into "\n]" in place
    ref = json.loads(open(tmp("res", "coco_results.json")).read())
    out, _ = h.run("yolo-detect", "-c", cfg, "-w", weights, "--format",
                   "coco", "--thresh", "0.005", "--nms", "0.45", *images)
    ours = json.loads(out.decode())
    for d in ours:  # darknet's clamp: the left/top edge at 0, right/bottom
        w, h_ = SIZES[d["image_id"] - 1]  # at the size, each one side only
        x, y, bw, bh = d["bbox"]
        x1, y1, x2, y2 = max(x, 0), max(y, 0), min(x + bw, w), min(y + bh, h_)
        d["bbox"] = [x1, y1, x2 - x1, y2 - y1]
    check(len(ref) > 50, "darknet found only %d detections" % len(ref))

    def near_thresh(d):
        return abs(d["score"] - 0.005) < 1e-3

    def key(d, cat):
        return (d["image_id"], cat)

    unused = {}
    for d in ours:
        unused.setdefault(key(d, d["category_id"]), []).append(d)
    missing, worst = [], 0.0
    for r in ref:
        cands = unused.get(key(r, COCO_IDS.index(r["category_id"])), [])
        hit = next((d for d in cands if abs(d["score"] - r["score"]) <= 1e-4
                    and all(close(a, b) for a, b in zip(d["bbox"], r["bbox"]))),
                   None)
        if hit:
            cands.remove(hit)
            worst = max([worst] + [abs(a - b) for a, b in
                                   zip(hit["bbox"], r["bbox"])])
        elif not near_thresh(r):
            missing.append(r)
    extra = [d for c in unused.values() for d in c if not near_thresh(d)]
    print("yolo_darknet: detector valid: %d darknet detections, %d of vt's "
          "matched; max box |diff| %.2g px" % (len(ref), len(ours) -
                                              sum(map(len, unused.values())),
                                              worst))
    check(not missing, "%d darknet detections not found, first %r" %
          (len(missing), missing[:1]))
    check(not extra, "%d extra detections, first %r" % (len(extra), extra[:1]))


@h.case
def test_stdout_names_and_percent():
    if not DARKNET:
        return
    cfg, weights, images = setup()
    with open(tmp("t.data"), "w") as f:
        f.write("classes=80\nnames=%s\n" % os.path.abspath(NAMES))
    total = 0
    for img in images[:2]:
        text = darknet("detector", "test", tmp("t.data"), cfg, weights, img,
                       "-thresh", str(TEST_THRESH), "-out", tmp("pred"))
        lines = text.splitlines()
        start = next(i for i, l in enumerate(lines) if "Predicted in" in l)
        ref = [re.fullmatch(r"(.+): (\d+)%", l).groups()
               for l in lines[start + 1:] if l.strip()]
        out, _ = h.run("yolo-detect", "-c", cfg, "-w", weights, "--names",
                       NAMES, "--thresh", str(TEST_THRESH), img)
        ours = [(f[1], float(f[2])) for f in
                (l.split("\t") for l in out.decode().splitlines())]
        for name, pct in ref:
            hit = next((o for o in ours if o[0] == name and
                        abs(o[1] * 100 - int(pct)) <= 0.5 + 1e-3), None)
            check(hit, "%s: darknet's '%s: %s%%' not found in %r" %
                  (os.path.basename(img), name, pct, ours))
            ours.remove(hit)
        left = [o for o in ours if abs(o[1] - TEST_THRESH) >= 1e-3]
        check(not left, "%s: extra detections %r" % (os.path.basename(img),
                                                     left))
        total += len(ref)
    print("yolo_darknet: detector test: %d detections printed by darknet, "
          "all found" % total)


h.finish()

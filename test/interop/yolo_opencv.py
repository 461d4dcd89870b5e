"""Interop: yolo-detect --resize stretch --raw against OpenCV DNN (Debian
python3-opencv, run live): the raw [yolo] outputs within 3e-4.

OpenCV's darknet importer stretches with blobFromImage (as --resize stretch
does) and its [yolo] layer outputs decoded rows, one per (y, x, anchor),
rows ordered y, then x, then anchor; columns: x, y as the box centre
relative to the image ((cell + logistic) / grid, scale_x_y applied), w, h
relative (exp(raw) * anchor / network size), objectness, then objectness x
class probability, set to 0 where it is <= 0.2 (the layer's thresh).  That
is inverted here into darknet's layout [anchor, entry, H, W]: x = X * W -
column, w = log(W_rel * net_w / anchor_w), class = prob / objectness where
prob > 0 (where OpenCV wrote 0, vt's objectness x class must be <= 0.2).

Models: yolov3-tiny, yolov4-tiny (route groups, scale_x_y) and yolov3 from
configs/yolo with yolo-detect --synth-weights, on a generated 500x375 PNG;
and, when ../shared/fixtures/yolo is present, its synthetic yolov3-tiny
weights on darknet's dog.png.  Skipped when cv2 cannot be imported.
"""
import os
import re

import numpy as np

from _st import Harness, check, decode_stream

h = Harness("yolo_opencv")
TOL = 3e-4
FIX = next((d for d in ("../shared/fixtures/yolo", "../../shared/fixtures/yolo")
            if os.path.exists(d + "/model/yolov3-tiny-synth-s1.weights")), None)
try:
    import cv2
except ImportError as e:  # no OpenCV: nothing to compare with
    cv2 = None
    print("yolo_opencv: cv2 cannot be imported (%s): skipped" % e)


def tmp(name):
    return os.path.join(h.tmp, name)


def image():
    """A 500x375 PNG: smooth colour fields, edges and seeded noise."""
    path = tmp("scene.png")
    if not os.path.exists(path):
        rng = np.random.default_rng(7)
        y, x = np.mgrid[0:375, 0:500].astype(np.float64)
        img = np.stack([128 + 100 * np.sin(x / 37 + c) * np.cos(y / 23 - c)
                        for c in range(3)], axis=-1)
        img[100:220, 150:330] = (30, 200, 90)
        img[250:340, 40:160] = (220, 40, 40)
        img += rng.normal(0, 12, img.shape)
        cv2.imwrite(path, np.clip(img, 0, 255).astype(np.uint8))
    return path


def layer_anchors(cfg):
    """{yolo layer index: [(w, h), ...] masked anchors} and the net size."""
    layers, idx, net_w, net_h = {}, -1, 0, 0
    section, keys = None, {}
    text = open(cfg).read()
    for part in re.split(r"^\[", text, flags=re.M)[1:]:
        name, body = part.split("]", 1)
        kv = dict(l.split("=", 1) for l in
                  (s.split("#")[0].strip().replace(" ", "")
                   for s in body.splitlines()) if "=" in l)
        if name == "net":
            net_w, net_h = int(kv["width"]), int(kv["height"])
            continue
        idx += 1
        if name == "yolo":
            a = [float(v) for v in kv["anchors"].split(",")]
            layers[idx] = [(a[2 * m], a[2 * m + 1])
                           for m in map(int, kv["mask"].split(","))]
    return layers, net_w, net_h


def compare(cfg, weights, img, *opts):
    out = tmp("raw.vts")
    h.run("yolo-detect", "-c", cfg, "-w", weights, "--resize", "stretch",
          "--raw", out, "-o", "/dev/null", *opts, img)
    rec = decode_stream(open(out, "rb").read())[0]
    anchors, net_w, net_h = layer_anchors(cfg)
    net = cv2.dnn.readNetFromDarknet(cfg, weights)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    im = cv2.imread(img)
    net.setInput(cv2.dnn.blobFromImage(im, 1 / 255, (net_w, net_h),
                                       swapRB=True, crop=False))
    names = net.getUnconnectedOutLayersNames()
    outs = net.forward(names)
    check(sorted(rec.tensors) == sorted("yolo%d" % int(n.split("_")[1])
                                        for n in names),
          "tensors %r, OpenCV outputs %r" % (sorted(rec.tensors), names))
    worst, counts = {}, [0, 0]
    for name, o in zip(names, outs):
        L = int(name.split("_")[1])
        t = rec.tensors["yolo%d" % L].astype(np.float64)
        A, E, H, W = t.shape
        check(o.shape == (H * W * A, E), "%s: OpenCV shape %r" % (name, o.shape))
        cv = o.reshape(H, W, A, E).transpose(2, 3, 0, 1).astype(np.float64)
        aw = np.array([a[0] for a in anchors[L]])[:, None, None]
        ah = np.array([a[1] for a in anchors[L]])[:, None, None]
        obj = cv[:, 4]
        prob = cv[:, 5:]
        mine = t[:, 4:5] * t[:, 5:]
        kept = prob > 0
        counts[0] += kept.sum()
        counts[1] += kept.size
        diffs = {
            "x": np.abs(cv[:, 0] * W - np.arange(W) - t[:, 0]).max(),
            "y": np.abs(cv[:, 1] * H - np.arange(H)[:, None] - t[:, 1]).max(),
            "w": np.abs(np.log(cv[:, 2] * net_w / aw) - t[:, 2]).max(),
            "h": np.abs(np.log(cv[:, 3] * net_h / ah) - t[:, 3]).max(),
            "objectness": np.abs(obj - t[:, 4]).max(),
            "classes": (np.abs(prob / obj[:, None] - t[:, 5:])[kept].max()
                        if kept.any() else 0.0),
            "zeroed classes": max(0.0, (mine[~kept] - 0.2).max()
                                  if (~kept).any() else 0.0),
        }
        for k, v in diffs.items():
            worst[k] = max(worst.get(k, 0.0), v)
            check(v <= TOL, "%s %s: |vt - OpenCV| = %g > %g" %
                  (os.path.basename(cfg), name, v, TOL))
    print("yolo_opencv: %s on %s: max |vt - OpenCV| %s (%d of %d class "
          "entries kept by OpenCV)" % (
              os.path.basename(cfg), os.path.basename(img),
              ", ".join("%s %.2g" % kv for kv in worst.items()), *counts))


def synth_case(cfg_name):
    def case():
        if not cv2:
            return
        src = "configs/yolo/" + cfg_name
        cfg = tmp(cfg_name)
        text = open(src).read()
        text = re.sub(r"^width=.*$", "width=416", text, flags=re.M)
        text = re.sub(r"^height=.*$", "height=416", text, flags=re.M)
        # OpenCV's own [yolo] key: keep every class probability (vt does
        # not know the key: --lenient)
        text = text.replace("[yolo]\n", "[yolo]\nthresh=0\n")
        open(cfg, "w").write(text)
        w = tmp(cfg_name + ".weights")
        h.run("yolo-detect", "--lenient", "-c", cfg, "--synth-weights", w)
        compare(cfg, w, image(), "--lenient")
    case.__name__ = "stretch_raw_" + cfg_name.replace("-", "_").replace(".cfg", "")
    return case


h.case(synth_case("yolov3-tiny.cfg"))
h.case(synth_case("yolov4-tiny.cfg"))
h.case(synth_case("yolov3.cfg"))


@h.case
def stretch_raw_fixture_dog():
    if not cv2 or not FIX:
        return
    compare(FIX + "/model/yolov3-tiny.cfg",
            FIX + "/model/yolov3-tiny-synth-s1.weights",
            FIX + "/images/dog.png")


h.finish()

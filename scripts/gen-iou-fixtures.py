#!/usr/bin/python3
"""Make the IoU test fixtures in test/data/iou/ from torchvision.ops, and the
malformed box files test/data/bad/iou-*.

    /usr/bin/python3 scripts/gen-iou-fixtures.py [REPO_ROOT]

Run it with Debian's python3-torchvision (/usr/bin/python3).  The files are
committed; rerun this only to change them.

Box sets (float32 values, written with %.9g so they read back exactly):
  a.txt, b.txt            xyxy boxes: hand-picked cases (identical, nested,
                          touching at an edge or a corner, disjoint in x, y
                          or both, zero width, zero height, points, huge and
                          negative coordinates, sub-unit boxes) then random
  a-xywh.txt, a-cxcywh.txt  a.txt converted by torchvision's box_convert
  a-xywh-xyxy.txt, a-cxcywh-xyxy.txt  those converted back to xyxy by
                          box_convert (float32), what vt's conversion must give
  a.safetensors           a.txt as a tensor record: boxes F32 [n,4]
References (one matrix row per line, a.txt x b.txt):
  ref-METRIC.txt          torchvision's METRIC on the float32 boxes widened to
                          float64 (%.17g); "nan" where torchvision gives NaN
  ref32-METRIC.txt        the same in float32, as torchvision computes it
  ref-legacy-iou.txt      the PASCAL VOC devkit's "+1 pixel" IoU, float64
"""
import json
import os
import struct
import sys

import numpy as np
import torch
from torchvision.ops import (box_convert, box_iou, complete_box_iou,
                             distance_box_iou, generalized_box_iou)

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..")
out = os.path.join(root, "test", "data", "iou")
bad = os.path.join(root, "test", "data", "bad")
os.makedirs(out, exist_ok=True)
os.makedirs(bad, exist_ok=True)

METRICS = {
    "iou": box_iou,
    "giou": generalized_box_iou,
    "diou": distance_box_iou,
    "ciou": complete_box_iou,
}

SPECIAL = [
    [0, 0, 10, 10],
    [5, 5, 15, 15],          # half overlap
    [2, 2, 4, 4],            # nested in the first
    [20, 20, 30, 30],        # disjoint in x and y: the negative*negative trap
    [10, 0, 20, 10],         # touches the first at an edge
    [10, 10, 20, 20],        # touches the first at a corner
    [0, 12, 10, 22],         # disjoint in y only
    [3, 3, 3, 8],            # zero width
    [3, 3, 8, 3],            # zero height
    [4, 4, 4, 4],            # a point inside the first
    [1e6, 1e6, 1e6 + 100, 1e6 + 50],
    [1e15, 2e15, 3e15, 5e15],
    [1.5e15, 2e15, 2.5e15, 6e15],
    [-50, -40, -10, -5],
    [0.25, 0.5, 0.75, 0.875],
]
SPECIAL_B = [
    [4, 4, 4, 4],            # the same point
    [7, 7, 7, 7],            # another point
    [3, 3, 3, 8],            # the same zero-width box
    [3, 5, 3, 9],            # an overlapping zero-width box
    [0, 0, 10, 10],
    [-1, -1, 11, 11],        # encloses the first
    [1e6 + 50, 1e6, 1e6 + 150, 1e6 + 60],
]


def random_boxes(rng, n, scale):
    xy = rng.uniform(-scale, scale, size=(n, 2))
    wh = rng.uniform(0, scale, size=(n, 2))
    wh[rng.uniform(size=n) < 0.1, 0] = 0    # a few zero widths
    return np.concatenate([xy, xy + wh], axis=1)


def f32(rows):
    return torch.tensor(np.asarray(rows, dtype=np.float32))


def fmt(v, digits):
    if np.isnan(v):
        return "nan"
    return "%.*g" % (digits, v)


def write_matrix(path, mat, digits, comment=None):
    with open(path, "w") as f:
        if comment:
            f.write("# %s\n" % comment)
        for row in mat.tolist():
            f.write(" ".join(fmt(v, digits) for v in row) + "\n")


def write_boxes(path, boxes, comment):
    write_matrix(path, boxes.numpy(), 9, comment)


def legacy_iou(a, b):
    """The VOC devkit (VOCevaldet.m): widths and heights are x2-x1+1."""
    a = a.double().numpy()
    b = b.double().numpy()
    res = np.zeros((len(a), len(b)))
    for i, p in enumerate(a):
        for j, q in enumerate(b):
            iw = min(p[2], q[2]) - max(p[0], q[0]) + 1
            ih = min(p[3], q[3]) - max(p[1], q[1]) + 1
            if iw > 0 and ih > 0:
                ua = ((p[2] - p[0] + 1) * (p[3] - p[1] + 1) +
                      (q[2] - q[0] + 1) * (q[3] - q[1] + 1) - iw * ih)
                res[i, j] = iw * ih / ua
    return res


def safetensors_record(tensors):
    """One tensor record as vt writes it (vt-tensor(5)): compact JSON,
    __metadata__ first, padded with spaces to a multiple of 64."""
    header = {"__metadata__": {"vt.format": "1"}}
    data = b""
    for name, arr in tensors:
        raw = arr.astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((-(8 + len(js))) % 64)
    return struct.pack("<Q", len(js)) + js + data


def main():
    rng = np.random.default_rng(20240601)
    a = f32(SPECIAL + random_boxes(rng, 12, 50.0).tolist() +
            random_boxes(rng, 6, 1.0).tolist())
    b = f32(SPECIAL + SPECIAL_B + random_boxes(rng, 10, 50.0).tolist() +
            random_boxes(rng, 4, 1.0).tolist())
    write_boxes(os.path.join(out, "a.txt"), a,
                "box set A, xyxy (scripts/gen-iou-fixtures.py)")
    write_boxes(os.path.join(out, "b.txt"), b,
                "box set B, xyxy (scripts/gen-iou-fixtures.py)")
    with open(os.path.join(out, "a.safetensors"), "wb") as f:
        f.write(safetensors_record([("boxes", a.numpy())]))

    for name in ("xywh", "cxcywh"):
        conv = box_convert(a, "xyxy", name)
        back = box_convert(conv, name, "xyxy")
        write_boxes(os.path.join(out, "a-%s.txt" % name), conv,
                    "a.txt as %s by torchvision box_convert" % name)
        write_boxes(os.path.join(out, "a-%s-xyxy.txt" % name), back,
                    "a-%s.txt back to xyxy by box_convert (float32)" % name)

    worst = 0.0
    for name, fn in METRICS.items():
        ref = fn(a.double(), b.double()).numpy()
        ref32 = fn(a, b).numpy().astype(np.float64)
        write_matrix(os.path.join(out, "ref-%s.txt" % name), ref, 17,
                     "torchvision %s, float64 (a.txt x b.txt)" % name)
        write_matrix(os.path.join(out, "ref32-%s.txt" % name), ref32, 9,
                     "torchvision %s, float32 (a.txt x b.txt)" % name)
        both = ~np.isnan(ref) & ~np.isnan(ref32)
        d = np.abs(ref - ref32)[both].max()
        worst = max(worst, d)
        print("%s: %d x %d, %d NaN, float32 vs float64 within %.3g" %
              (name, ref.shape[0], ref.shape[1], np.isnan(ref).sum(), d))
    write_matrix(os.path.join(out, "ref-legacy-iou.txt"), legacy_iou(a, b),
                 17, "VOC devkit +1 pixel IoU, float64 (a.txt x b.txt)")

    # Malformed inputs: each must fail with exit 65 and a line number.
    bad_files = {
        "iou-three-numbers.txt": "0 0 10 10\n# ok so far\n1 2 3\n",
        "iou-five-numbers.txt": "0 0 10 10 11\n",
        "iou-word.txt": "0 0 10 10\n0 0 ten 10\n",
        "iou-nan.txt": "0 0 10 10\n\n0 nan 10 10\n",
        "iou-inf.txt": "0 0 inf 10\n",
        "iou-overflow.txt": "0 0 1e39 10\n",
        "iou-x2-lt-x1.txt": "0 0 10 10\n10 0 5 10\n",
        "iou-y2-lt-y1.txt": "0 10 10 5\n",
        "iou-negative-w.xywh": "0 0 -1 10\n",
        "iou-long-token.txt": "0 0 10 1" + "0" * 80 + "\n",
        "iou-nul.txt": "0 0 10 10\n0 0\x00 10 10\n",
    }
    for name, text in bad_files.items():
        with open(os.path.join(bad, name), "wb") as f:
            f.write(text.encode())
    with open(os.path.join(bad, "iou-shape.safetensors"), "wb") as f:
        f.write(safetensors_record([("boxes", np.zeros((3, 5), np.float32))]))
    with open(os.path.join(bad, "iou-no-boxes.safetensors"), "wb") as f:
        f.write(safetensors_record([("scores", np.zeros((3,), np.float32))]))
    print("worst float32 torchvision deviation from float64: %.3g" % worst)


main()

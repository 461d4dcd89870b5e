"""Interop: yolo-detect --raw records read with numpy alone, checked against
the detections yolo-detect prints and (when ../shared/fixtures/yolo is
present) against darknet's own [yolo] outputs.

Run by test/interop/run from the repository root with VT_BIN set.
"""
import json
import os

import numpy as np

from _st import Harness, check, decode_stream

h = Harness("yolo")
TINY = "test/data/yolo/tiny.cfg"
IMAGES = ["test/data/images/c3-7x5.png", "test/data/images/c4-7x5.png"]
FIX = next((d for d in ("../shared/fixtures/yolo", "../../shared/fixtures/yolo")
            if os.path.exists(d + "/model/yolov3-tiny-synth-s1.weights")), None)


def tmp(name):
    return os.path.join(h.tmp, name)


def raw_records(cfg, weights, images, *opts):
    out = tmp("raw.vts")
    h.run("yolo-detect", "-c", cfg, "-w", weights, "--raw", out, "-o",
          "/dev/null", *opts, *images)
    with open(out, "rb") as f:
        return decode_stream(f.read())


def sigmoid(x):
    return 1 / (1 + np.exp(-x.astype(np.float64)))


@h.case
def raw_layout_and_top_score():
    w = tmp("tiny.weights")
    h.run("yolo-detect", "-c", TINY, "--synth-weights", w, "--seed", "5")
    recs = raw_records(TINY, w, IMAGES)
    check(len(recs) == 2, "%d records" % len(recs))
    for rec, img in zip(recs, IMAGES):
        check(set(rec.tensors) == {"yolo3"}, "tensors %r" % list(rec.tensors))
        t = rec.tensors["yolo3"]
        check(t.dtype == np.float32 and t.shape == (3, 7, 16, 16),
              "yolo3 %s %r" % (t.dtype, t.shape))
        check(rec.dims["yolo3"] == ["anchor", "entry", "H", "W"],
              "dims %r" % rec.dims)
        check(rec.metadata["image"] == img and rec.metadata["width"] == "7"
              and rec.metadata["height"] == "5", "meta %r" % rec.metadata)
        check(rec.metadata["yolo3.anchors"] == "4,6,8,10,12,16",
              "anchors %r" % rec.metadata)
        logistic = np.delete(t, [2, 3], axis=1)
        check(((logistic > 0) & (logistic < 1)).all(),
              "x, y, objectness, classes outside (0, 1)")
        # darknet's probability: objectness x class entry; the best one is
        # yolo-detect's top detection with no threshold and no NMS
        obj, cls = t[:, 4:5].astype(np.float64), t[:, 5:].astype(np.float64)
        best = (obj * cls).max()
        out, _ = h.run("yolo-detect", "-c", TINY, "-w", w, "--format",
                       "jsonl", "--thresh", "0", "--nms", "0",
                       "--max-dets", "1", img)
        top = json.loads(out.decode().splitlines()[0])
        check(abs(top["score"] - best) < 1e-6,
              "top score %r, from --raw %r" % (top["score"], best))


@h.case
def raw_equals_darknet_output():
    if not FIX:
        print("yolo: raw_equals_darknet_output: ../shared/fixtures/yolo "
              "absent, skipped")
        return
    stems = ["dog", "scream"]
    recs = raw_records(FIX + "/model/yolov3-tiny.cfg",
                       FIX + "/model/yolov3-tiny-synth-s1.weights",
                       ["%s/images/%s.png" % (FIX, s) for s in stems])
    for rec, stem in zip(recs, stems):
        for layer, g in ((16, 13), (23, 26)):
            got = rec.tensors["yolo%d" % layer]
            want = np.fromfile("%s/darknet/%s.yolo%d.f32" % (FIX, stem, layer),
                               dtype="<f4").reshape(3, 85, g, g)
            d = np.abs(got.astype(np.float64) - want)
            raw_wh = d[:, 2:4].max()
            logistic = np.delete(d, [2, 3], axis=1).max()
            check(logistic <= 1e-4, "%s yolo%d: logistic entries differ by "
                  "%g" % (stem, layer, logistic))
            check(raw_wh <= 5e-4, "%s yolo%d: w, h differ by %g" %
                  (stem, layer, raw_wh))


h.finish()

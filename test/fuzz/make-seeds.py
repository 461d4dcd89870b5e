#!/usr/bin/python3
"""Write the fuzz seeds in test/fuzz/seeds/: small valid .safetensors
records, multi-record streams and .npy files.

    /usr/bin/python3 test/fuzz/make-seeds.py

The seeds are committed; rerun this only to change them.
"""
import os
import shutil
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "..")
sys.path.insert(0, os.path.join(root, "test", "interop"))
import _st  # noqa: E402

seeds = os.path.join(here, "seeds")
os.makedirs(seeds, exist_ok=True)


def put(name, blob):
    with open(os.path.join(seeds, name), "wb") as f:
        f.write(blob)


x = np.arange(6, dtype=np.float32).reshape(2, 3)
put("one.safetensors", _st.encode(
    [("x", x)], {"vt.format": "1", "image": "a.jpg"}, {"x": ["N", "C"]}))
put("every-dtype.safetensors", _st.encode(
    [(code.lower(), np.arange(3).astype(dt)) for code, dt in _st.DTYPES.items()]
    + [("scalar", np.array(2.5)), ("empty", np.zeros((0, 4), np.int16))],
    {"vt.format": "1"}, {"empty": ["", "W"]}))
put("no-tensors.safetensors", _st.encode([], {"vt.format": "1", "k": "v"}))
put("bare.safetensors", _st.encode([]))
put("detections.vts",
    _st.encode([("boxes", np.array([[0, 0, 10, 10]], np.float32)),
                ("scores", np.array([0.5], np.float32)),
                ("classes", np.array([3], np.int32))],
               {"vt.format": "1", "image": "0.jpg", "width": "640",
                "height": "480"}, {"boxes": ["n", ""]})
    + _st.encode([("boxes", np.zeros((0, 4), np.float32)),
                  ("scores", np.zeros(0, np.float32)),
                  ("classes", np.zeros(0, np.int32))],
                 {"vt.format": "1", "image": "1.jpg"})
    + _st.encode([("u\u00e9", np.array([True, False]))], ensure_ascii=False))
for f in ["f4.npy", "scalar-f8.npy", "fortran-i4.npy", "v2-i4.npy",
          "v3-f4.npy", "empty-i2.npy", "b1.npy"]:
    shutil.copy(os.path.join(root, "test", "data", "npy", f),
                os.path.join(seeds, f))
for f in ["gan", "dcgan", "lsgan", "wgan", "wgan_gp"]:
    shutil.copy(os.path.join(root, "configs", "gan", f + ".cfg"),
                os.path.join(seeds, "gan-" + f + ".cfg"))

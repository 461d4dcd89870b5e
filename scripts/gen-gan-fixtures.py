#!/usr/bin/python3
"""gen-gan-fixtures.py - reference data for lib/gan's unit tests, made with
PIL and torchvision (Debian's python3-pil, python3-torchvision) from the
first Fashion-MNIST training images (dataset-fashion-mnist).

  test/data/gan/fmnist8.npy        u8 [8,28,28]: the first 8 training images
  test/data/gan/fmnist8-32.npy     u8 [8,32,32]: each through
                                   transforms.Resize(32) on a PIL 'L' image
  test/data/gan/rand-50x37.npy     u8 [3,37,50] seeded noise (H 37, W 50)
  test/data/gan/rand-50x37-32.npy  u8 [3,32,32]: PIL resize((32,32), BILINEAR)
  test/data/gan/rand-9x13.npy      u8 [3,13,9], and -32.npy resized likewise
  test/data/gan/grid-in.npy        f32 [25,1,28,28] in about [-1.2,0.9]
  test/data/gan/grid-ref.png       save_image(grid-in, nrow=5, normalize=True)

Run from the repository root: scripts/gen-gan-fixtures.py
"""
import gzip
import os

import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from torchvision.utils import save_image

OUT = "test/data/gan"
SRC = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"


def main():
    os.makedirs(OUT, exist_ok=True)
    with gzip.open(SRC, "rb") as f:
        raw = f.read()
    imgs = np.frombuffer(raw, np.uint8, offset=16).reshape(-1, 28, 28)
    first = np.ascontiguousarray(imgs[:8])
    np.save(f"{OUT}/fmnist8.npy", first)
    resize = T.Resize(32)
    up = np.stack([np.asarray(resize(Image.fromarray(a, "L"))) for a in first])
    np.save(f"{OUT}/fmnist8-32.npy", up)

    rng = np.random.default_rng(6)
    for h, w in ((37, 50), (13, 9)):
        a = rng.integers(0, 256, (3, h, w), dtype=np.uint8)
        b = np.stack([np.asarray(Image.fromarray(x, "L").resize(
            (32, 32), Image.BILINEAR)) for x in a])
        np.save(f"{OUT}/rand-{w}x{h}.npy", a)
        np.save(f"{OUT}/rand-{w}x{h}-32.npy", b)

    x = imgs[8:33].astype(np.float32) / 255
    x = (x - 0.5) / 0.5
    x = x * 1.05 - 0.15 + rng.normal(0, 0.02, x.shape).astype(np.float32)
    x = x.astype(np.float32).reshape(25, 1, 28, 28)
    np.save(f"{OUT}/grid-in.npy", x)
    save_image(torch.from_numpy(x), f"{OUT}/grid-ref.png", nrow=5,
               normalize=True)


if __name__ == "__main__":
    main()

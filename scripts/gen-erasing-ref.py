#!/usr/bin/python3
"""Reference statistics of torchvision.transforms.RandomErasing rectangles.

    /usr/bin/python3 scripts/gen-erasing-ref.py > test/data/images/torchvision-erasing.txt

Debian's python3-torchvision draws N rectangles per case with
RandomErasing.get_params (the algorithm the transform applies when it
fires); test_augment draws as many with vt_random_erasing_draw and compares
means with a z-test.  One line per case:
    H W scale_a scale_b ratio_a ratio_b N noop_frac
    mean_h sd_h mean_w sd_w mean_area sd_area mean_top sd_top mean_left sd_left
(statistics over the rectangles drawn, no-ops left out).
"""
import math

import torch
from torchvision.transforms import RandomErasing

CASES = [
    (32, 32, (0.02, 0.33), (0.3, 3.3)),
    (24, 40, (0.1, 0.5), (0.5, 2.0)),
    (8, 8, (0.5, 0.9), (0.3, 3.3)),
    (28, 28, (0.02, 0.2), (1.0, 1.0)),
]
N = 100000


def stats(xs):
    m = sum(xs) / len(xs)
    return m, math.sqrt(sum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def main():
    torch.manual_seed(12345)
    print(f"# torchvision {__import__('torchvision').__version__}, "
          f"torch {torch.__version__}; scripts/gen-erasing-ref.py")
    for h, w, scale, ratio in CASES:
        img = torch.zeros(1, h, w)
        hs, ws, areas, tops, lefts = [], [], [], [], []
        noop = 0
        for _ in range(N):
            i, j, eh, ew, v = RandomErasing.get_params(
                img, scale=scale, ratio=ratio, value=[0])
            if v is img:
                noop += 1
                continue
            hs.append(eh)
            ws.append(ew)
            areas.append(eh * ew)
            tops.append(i)
            lefts.append(j)
        cols = [h, w, *scale, *ratio, N, noop / N]
        for xs in (hs, ws, areas, tops, lefts):
            cols += stats(xs)
        print(" ".join(f"{c:.10g}" for c in cols))


if __name__ == "__main__":
    main()

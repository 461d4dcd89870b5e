#!/usr/bin/env python3
"""Write a large COCO case for map-eval's benchmark (standard library only).

    gen-mapeval-bench.py OUTDIR [--images 5000] [--cats 80] [--seed 1]

OUTDIR/gt.json: ~7 boxes per image over --cats categories (35k for 5,000
images); OUTDIR/dt.json: 50 detections per image (250k): jittered true
positives, duplicates, wrong classes and random boxes, scores rounded to
3 digits so that ties occur.
"""
import json
import random
import sys


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    out = args[0]
    opt = {"--images": 5000, "--cats": 80, "--seed": 1}
    for k, v in zip(args[1::2], args[2::2]):
        opt[k] = int(v)
    rng = random.Random(opt["--seed"])
    n_img, n_cat = opt["--images"], opt["--cats"]
    images, anns, dets = [], [], []
    cats = [{"id": c + 1, "name": "class%02d" % (c + 1)} for c in range(n_cat)]
    aid = 1
    for i in range(1, n_img + 1):
        w, h = rng.randint(320, 800), rng.randint(240, 800)
        images.append({"id": i, "width": w, "height": h,
                       "file_name": "%012d.jpg" % i})
        boxes = []
        for _ in range(rng.choice((3, 5, 7, 8, 9, 10, 7))):
            bw = rng.uniform(4, w / 2)
            bh = rng.uniform(4, h / 2)
            x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
            c = rng.randint(1, n_cat)
            crowd = 1 if rng.random() < 0.01 else 0
            box = [round(x, 2), round(y, 2), round(bw, 2), round(bh, 2)]
            anns.append({"id": aid, "image_id": i, "category_id": c,
                         "bbox": box, "area": round(bw * bh, 2),
                         "iscrowd": crowd})
            aid += 1
            boxes.append((box, c))
        for _ in range(50):
            r = rng.random()
            if boxes and r < 0.5:
                (x, y, bw, bh), c = rng.choice(boxes)
                j = 0.15 if r < 0.35 else 0.4
                x += rng.gauss(0, j * bw / 4)
                y += rng.gauss(0, j * bh / 4)
                bw *= rng.uniform(1 - j / 2, 1 + j / 2)
                bh *= rng.uniform(1 - j / 2, 1 + j / 2)
                if rng.random() < 0.1:
                    c = rng.randint(1, n_cat)
                s = rng.uniform(0.3, 1.0)
            else:
                bw, bh = rng.uniform(4, w / 3), rng.uniform(4, h / 3)
                x, y = rng.uniform(0, w - bw), rng.uniform(0, h - bh)
                c = rng.randint(1, n_cat)
                s = rng.uniform(0.0, 0.6)
            dets.append({"image_id": i, "category_id": c,
                         "bbox": [round(x, 2), round(y, 2), round(bw, 2),
                                  round(bh, 2)],
                         "score": round(s, 3)})
    with open(out + "/gt.json", "w") as f:
        json.dump({"images": images, "categories": cats,
                   "annotations": anns}, f, separators=(",", ":"))
    with open(out + "/dt.json", "w") as f:
        json.dump(dets, f, separators=(",", ":"))
    print("%d images, %d categories, %d GT, %d detections"
          % (n_img, n_cat, len(anns), len(dets)))


if __name__ == "__main__":
    main()

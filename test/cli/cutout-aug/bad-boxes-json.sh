cutout-aug --length 8 --boxes test/data/bad/labels-coco-truncated.json -o "$T/out" test/data/images/tree/a.png

cutout-aug --length 8 --boxes test/data/bad/labels-coco-bbox.json -o "$T/out" test/data/images/tree/a.png

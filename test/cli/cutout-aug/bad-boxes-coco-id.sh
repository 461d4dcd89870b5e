cutout-aug --length 8 --boxes test/data/bad/labels-coco-image-id.json -o "$T/out" test/data/images/tree/a.png

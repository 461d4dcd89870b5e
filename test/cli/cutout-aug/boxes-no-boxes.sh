cutout-aug --length 8 --max-box-occlusion 0.2 -o "$T/out" test/data/images/tree/a.png

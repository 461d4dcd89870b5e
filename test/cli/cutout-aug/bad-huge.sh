cutout-aug --length 4 -o "$T/out" test/data/bad/img-huge.png

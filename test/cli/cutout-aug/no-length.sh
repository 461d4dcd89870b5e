cutout-aug -o "$T/out" test/data/images/c3-7x5.png

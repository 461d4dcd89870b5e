cutout-aug --holes 0 --length 3 -o "$T/out" x.png

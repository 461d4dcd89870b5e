cutout-aug --length 4 -o "$T/out" no/such.png

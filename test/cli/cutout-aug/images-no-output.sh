cutout-aug --length 3 x.png

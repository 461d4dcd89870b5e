cutout-aug --mode erase --scale 0.5:0.1 -o "$T/out" x.png

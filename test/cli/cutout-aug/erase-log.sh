cutout-aug --mode erase --scale 0.1:0.3 --seed 3 --log - -o "$T/out" test/data/images/tree/a.png | sed "s|$T|T|g"

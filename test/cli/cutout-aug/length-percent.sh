# --length 25% of the shorter side, per image: 6 for 32x24, 5 for 20x20
# (a square of 4: L/2 rounded down), 4 for 16x16
cutout-aug --length 25% --seed 7 --log - -o "$T/out" test/data/images/tree | sed "s|$T|T|g"

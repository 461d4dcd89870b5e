# a hole over more than 30% of a box is drawn again (a.png: the first draw,
# [16,11,24,19], covers 44% of the box 14,9,26,21)
cutout-aug --length 8 --seed 7 --boxes test/data/labels/tree-yolo --max-box-occlusion 0.3 --log - -o "$T/out" test/data/images/tree | sed "s|$T|T|g"

# no hole may touch a box over the whole image: after 10 draws each hole is
# skipped, and the log says so
cutout-aug --length 8 --holes 2 --seed 7 --boxes test/data/labels/whole-yolo --max-box-occlusion 0 --log - -o "$T/out" test/data/images/tree/sub/b.png | sed "s|$T|T|g"

# YOLO label directories, sizes from the image headers: the numbers of the
# COCO run on the same boxes (sizes are powers of two: exact)
map-eval --gt test/data/mapeval/records/yolo/gt --dt test/data/mapeval/records/yolo/dt --images test/data/mapeval/records/yolo/images --names test/data/mapeval/records/yolo/names > $T/y
map-eval --gt test/data/mapeval/records/yolo/gt-nocrowd.json --dt test/data/mapeval/records/dt.json > $T/c
head -12 $T/y > $T/y12 && head -12 $T/c > $T/c12 && cmp $T/y12 $T/c12 && cat $T/y

# --pairwise needs box sets of the same size.
iou --pairwise test/data/iou/a.txt test/data/iou/b.txt

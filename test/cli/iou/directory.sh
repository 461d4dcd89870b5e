# A directory is not a box set.
iou test/data/iou

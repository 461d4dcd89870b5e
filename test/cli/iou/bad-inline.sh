# An inline box with x2 < x1.
iou '10 0 0 10'

# x2 < x1 in xyxy.
iou test/data/iou/a.txt test/data/bad/iou-x2-lt-x1.txt

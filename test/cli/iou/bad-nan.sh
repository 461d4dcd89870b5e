# NaN is not a coordinate.
iou test/data/bad/iou-nan.txt

# The same two boxes in each format.
iou --format xyxy '0 0 10 10' '5 5 15 15'
iou --format xywh '0 0 10 10' '5 5 10 10'
iou --format cxcywh '5 5 10 10' '10 10 10 10'

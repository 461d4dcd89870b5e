^usage: iou \[--metric iou\|giou\|diou\|ciou\] \[--format xyxy\|xywh\|cxcywh\]$
--legacy-pixel

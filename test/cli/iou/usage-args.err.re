iou: expected one or two box sets, got 0
iou: expected one or two box sets, got 3

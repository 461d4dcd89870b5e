# A negative width in xywh.
iou --format xywh test/data/bad/iou-negative-w.xywh

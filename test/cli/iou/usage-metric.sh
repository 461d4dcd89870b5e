# A bad option value.
iou --metric dice '0 0 1 1'

iou --format yolo '0 0 1 1'

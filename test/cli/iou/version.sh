iou --version

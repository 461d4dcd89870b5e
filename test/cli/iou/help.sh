iou --help

iou --bogus '0 0 1 1'

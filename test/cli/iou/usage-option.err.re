unrecognized option '--bogus'
Try 'iou --help'

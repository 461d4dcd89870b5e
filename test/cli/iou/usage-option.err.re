^iou: unknown option '--bogus'$
Try 'iou --help'

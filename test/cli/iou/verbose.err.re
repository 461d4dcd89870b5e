^iou: iou of 33 x 33 boxes, computed and written: [0-9.]+ s$

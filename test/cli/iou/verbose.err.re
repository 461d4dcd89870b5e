^iou: iou of 33 x 33 boxes: [0-9.]+ s$

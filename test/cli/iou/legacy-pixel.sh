# VOC +1 pixel rule: 0..9 is 10 pixels wide; touching boxes share a column.
iou --legacy-pixel '0 0 9 9' '5 5 14 14'
iou --legacy-pixel '0 0 9 9' '9 0 18 9'
iou '0 0 9 9' '9 0 18 9'

# Two boxes given inline.
iou '0 0 10 10' '5 5 15 15'

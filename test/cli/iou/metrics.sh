# GIoU, DIoU and CIoU of two boxes; the formulas are in iou(1).
for m in iou giou diou ciou; do iou --metric $m '0 0 10 10' '5 5 15 20'; done

# Two zero-area boxes: torchvision gives NaN, vt gives 0 for every metric.
for m in iou giou diou ciou; do iou --metric $m '4 4 4 4' '3 3 3 8'; done

# -v reports the time of the computation on standard error.
iou -v test/data/iou/a.txt > /dev/null

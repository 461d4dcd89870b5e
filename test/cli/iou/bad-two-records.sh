# A stream of two records is not one box set.
cat test/data/iou/a.safetensors test/data/iou/a.safetensors | iou -

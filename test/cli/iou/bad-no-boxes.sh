# A record without a tensor 'boxes'.
iou test/data/bad/iou-no-boxes.safetensors

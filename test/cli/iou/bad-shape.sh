# A record whose boxes are [3,5].
iou test/data/bad/iou-shape.safetensors

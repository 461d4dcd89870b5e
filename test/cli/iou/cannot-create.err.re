iou: '.*/no/dir/m.safetensors': cannot create

gan-sample --checkpoint configs/data/fashion-mnist-16.safetensors -o "$T/x.png"

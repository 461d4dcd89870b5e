gan-sample --checkpoint x.safetensors

^gan-train: '.*/run/checkpoint.safetensors': write error: File too large$

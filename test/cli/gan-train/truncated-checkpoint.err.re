^gan-train: '.*/run/checkpoint.safetensors': record 0: truncated

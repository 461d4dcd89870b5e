^gan-train: '.*/cut.safetensors': record 0: truncated

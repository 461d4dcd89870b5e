tensor-inspect --stats test/data/records/special.safetensors

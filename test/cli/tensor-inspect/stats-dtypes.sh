tensor-inspect --stats test/data/records/dtypes.safetensors

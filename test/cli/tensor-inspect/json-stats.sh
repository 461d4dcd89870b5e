tensor-inspect --json --stats test/data/records/special.safetensors test/data/records/dtypes.safetensors

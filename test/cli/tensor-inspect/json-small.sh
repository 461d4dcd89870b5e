tensor-inspect --json test/data/records/small.safetensors

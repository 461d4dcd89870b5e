tensor-inspect test/data/records/small.safetensors

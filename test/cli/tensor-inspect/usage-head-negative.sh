tensor-inspect --head -1 test/data/records/small.safetensors

tensor-inspect --head 0 test/data/records/small.safetensors

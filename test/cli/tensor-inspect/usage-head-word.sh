tensor-inspect --head=x test/data/records/small.safetensors

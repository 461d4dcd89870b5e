tensor-inspect --tensor images --tensor nope test/data/records/small.safetensors

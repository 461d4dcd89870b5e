tensor-inspect --tensor images --tensor classes --tensor nope test/data/records/small.safetensors

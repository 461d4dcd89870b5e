tensor-inspect --tensor images --tensor classes test/data/records/small.safetensors

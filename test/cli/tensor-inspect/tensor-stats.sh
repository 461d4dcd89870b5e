tensor-inspect --stats --tensor v test/data/records/special.safetensors

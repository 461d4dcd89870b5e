tensor-inspect test/data/bad/bad-bytes-overflow.safetensors

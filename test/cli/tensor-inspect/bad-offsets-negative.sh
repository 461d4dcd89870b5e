tensor-inspect test/data/bad/bad-offsets-negative.safetensors

tensor-inspect test/data/bad/bad-offsets-one.safetensors

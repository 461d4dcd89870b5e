tensor-inspect test/data/bad/bad-offsets-fraction.safetensors

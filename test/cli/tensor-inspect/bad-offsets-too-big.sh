tensor-inspect test/data/bad/bad-offsets-too-big.safetensors

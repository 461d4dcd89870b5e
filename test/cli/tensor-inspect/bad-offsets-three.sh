tensor-inspect test/data/bad/bad-offsets-three.safetensors

tensor-inspect test/data/bad/bad-offsets-reversed.safetensors

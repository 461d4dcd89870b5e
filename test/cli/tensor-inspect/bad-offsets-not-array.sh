tensor-inspect test/data/bad/bad-offsets-not-array.safetensors

tensor-inspect test/data/bad/bad-shape-string.safetensors

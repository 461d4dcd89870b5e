tensor-inspect test/data/bad/bad-shape-negative.safetensors

tensor-inspect test/data/bad/bad-shape-fraction.safetensors

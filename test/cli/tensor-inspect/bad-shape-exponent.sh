tensor-inspect test/data/bad/bad-shape-exponent.safetensors

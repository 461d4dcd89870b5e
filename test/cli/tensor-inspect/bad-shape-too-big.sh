tensor-inspect test/data/bad/bad-shape-too-big.safetensors

tensor-inspect test/data/bad/bad-shape-leading-zero.safetensors

tensor-inspect test/data/bad/bad-shape-not-array.safetensors

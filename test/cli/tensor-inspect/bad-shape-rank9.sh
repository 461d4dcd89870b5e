tensor-inspect test/data/bad/bad-shape-rank9.safetensors

tensor-inspect test/data/bad/bad-overlap.safetensors

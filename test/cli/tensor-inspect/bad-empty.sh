tensor-inspect test/data/bad/bad-empty.safetensors

tensor-inspect test/data/bad/bad-name-empty.safetensors

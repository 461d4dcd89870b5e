tensor-inspect test/data/bad/bad-name-too-long.safetensors

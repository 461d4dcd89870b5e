tensor-inspect test/data/bad/bad-header-zero.safetensors

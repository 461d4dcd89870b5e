tensor-inspect test/data/bad/bad-header-huge.safetensors

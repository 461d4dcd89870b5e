tensor-inspect test/data/bad/bad-header-limit.safetensors

tensor-inspect test/data/bad/bad-header-past-end.safetensors

tensor-inspect test/data/bad/bad-leading-space.safetensors

tensor-inspect test/data/bad/bad-vt-format.safetensors

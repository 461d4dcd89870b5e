tensor-inspect test/data/bad/bad-meta-value-number.safetensors

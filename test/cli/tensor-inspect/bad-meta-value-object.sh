tensor-inspect test/data/bad/bad-meta-value-object.safetensors

tensor-inspect test/data/bad/bad-dup-meta-key.safetensors

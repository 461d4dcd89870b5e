tensor-inspect test/data/bad/bad-entry-dup-key.safetensors

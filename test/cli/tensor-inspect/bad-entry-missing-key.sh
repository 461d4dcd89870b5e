tensor-inspect test/data/bad/bad-entry-missing-key.safetensors

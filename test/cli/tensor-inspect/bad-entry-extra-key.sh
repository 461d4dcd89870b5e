tensor-inspect test/data/bad/bad-entry-extra-key.safetensors

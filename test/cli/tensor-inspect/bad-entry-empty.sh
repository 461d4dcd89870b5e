tensor-inspect test/data/bad/bad-entry-empty.safetensors

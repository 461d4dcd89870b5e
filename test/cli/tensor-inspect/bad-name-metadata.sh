tensor-inspect test/data/bad/bad-name-metadata.safetensors

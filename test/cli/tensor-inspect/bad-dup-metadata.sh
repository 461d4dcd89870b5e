tensor-inspect test/data/bad/bad-dup-metadata.safetensors

tensor-inspect test/data/bad/bad-trailing-bytes.safetensors

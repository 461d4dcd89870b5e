tensor-inspect test/data/bad/bad-dims-invalid-name.safetensors

tensor-inspect test/data/bad/bad-dims-long-name.safetensors

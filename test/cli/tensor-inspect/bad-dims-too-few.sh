tensor-inspect test/data/bad/bad-dims-too-few.safetensors

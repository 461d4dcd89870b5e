tensor-inspect test/data/bad/bad-dims-too-many.safetensors

tensor-inspect test/data/bad/bad-dims-rank0.safetensors

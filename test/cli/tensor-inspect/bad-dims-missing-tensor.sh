tensor-inspect test/data/bad/bad-dims-missing-tensor.safetensors

tensor-inspect test/data/bad/bad-dup-tensor.safetensors

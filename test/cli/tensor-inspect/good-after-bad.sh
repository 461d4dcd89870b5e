tensor-inspect test/data/bad/bad-hole.safetensors test/data/records/no-tensors.safetensors

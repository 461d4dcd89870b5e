tensor-inspect test/data/bad/bad-trailing-garbage.safetensors

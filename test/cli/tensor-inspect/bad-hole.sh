tensor-inspect test/data/bad/bad-hole.safetensors

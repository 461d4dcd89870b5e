tensor-inspect test/data/bad/bad-first-not-zero.safetensors

tensor-inspect test/data/bad/bad-two-objects.safetensors

tensor-inspect test/data/bad/bad-numel-overflow.safetensors

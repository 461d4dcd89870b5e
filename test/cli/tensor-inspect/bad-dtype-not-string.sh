tensor-inspect test/data/bad/bad-dtype-not-string.safetensors

tensor-inspect test/data/bad/bad-dtype-lowercase.safetensors

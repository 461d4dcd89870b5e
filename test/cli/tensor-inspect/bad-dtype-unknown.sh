tensor-inspect test/data/bad/bad-dtype-unknown.safetensors

tensor-inspect test/data/bad/bad-no-brace.safetensors

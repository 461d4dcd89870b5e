tensor-inspect test/data/bad/bad-json-unclosed.safetensors

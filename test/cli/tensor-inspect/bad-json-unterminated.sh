tensor-inspect test/data/bad/bad-json-unterminated.safetensors

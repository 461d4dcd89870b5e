tensor-inspect test/data/bad/bad-json-short-hex.safetensors

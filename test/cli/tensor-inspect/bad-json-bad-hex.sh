tensor-inspect test/data/bad/bad-json-bad-hex.safetensors

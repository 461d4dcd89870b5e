tensor-inspect test/data/bad/bad-json-bad-escape.safetensors

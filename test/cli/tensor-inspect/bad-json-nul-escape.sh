tensor-inspect test/data/bad/bad-json-nul-escape.safetensors

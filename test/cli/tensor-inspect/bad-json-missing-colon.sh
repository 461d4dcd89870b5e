tensor-inspect test/data/bad/bad-json-missing-colon.safetensors

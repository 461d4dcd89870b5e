tensor-inspect test/data/bad/bad-json-trailing-comma.safetensors

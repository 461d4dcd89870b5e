tensor-inspect test/data/bad/bad-json-control-char.safetensors

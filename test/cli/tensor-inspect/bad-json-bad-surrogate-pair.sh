tensor-inspect test/data/bad/bad-json-bad-surrogate-pair.safetensors

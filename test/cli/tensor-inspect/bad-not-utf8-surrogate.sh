tensor-inspect test/data/bad/bad-not-utf8-surrogate.safetensors

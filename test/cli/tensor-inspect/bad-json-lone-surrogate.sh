tensor-inspect test/data/bad/bad-json-lone-surrogate.safetensors

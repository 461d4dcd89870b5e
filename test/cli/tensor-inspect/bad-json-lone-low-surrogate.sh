tensor-inspect test/data/bad/bad-json-lone-low-surrogate.safetensors

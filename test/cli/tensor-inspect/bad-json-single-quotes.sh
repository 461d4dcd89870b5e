tensor-inspect test/data/bad/bad-json-single-quotes.safetensors

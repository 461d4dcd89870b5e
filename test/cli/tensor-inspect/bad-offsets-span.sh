tensor-inspect test/data/bad/bad-offsets-span.safetensors

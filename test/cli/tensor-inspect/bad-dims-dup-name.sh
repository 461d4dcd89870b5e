tensor-inspect test/data/bad/bad-dims-dup-name.safetensors

tensor-inspect test/data/bad/bad-name-control.safetensors

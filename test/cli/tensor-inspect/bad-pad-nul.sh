tensor-inspect test/data/bad/bad-pad-nul.safetensors

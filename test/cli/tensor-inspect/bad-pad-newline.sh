tensor-inspect test/data/bad/bad-pad-newline.safetensors

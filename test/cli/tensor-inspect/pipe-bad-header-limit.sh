cat test/data/bad/bad-header-limit.safetensors | tensor-inspect

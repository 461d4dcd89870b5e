cat test/data/bad/bad-truncated-data.safetensors | tensor-inspect -

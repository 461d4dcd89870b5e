tensor-inspect test/data/bad/bad-metadata-not-object.safetensors

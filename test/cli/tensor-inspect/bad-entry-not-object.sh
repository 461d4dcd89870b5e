tensor-inspect test/data/bad/bad-entry-not-object.safetensors

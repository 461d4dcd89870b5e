tensor-inspect --bogus test/data/records/small.safetensors

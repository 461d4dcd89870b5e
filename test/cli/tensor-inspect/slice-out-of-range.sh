tensor-inspect --slice 'images[2]' test/data/records/small.safetensors

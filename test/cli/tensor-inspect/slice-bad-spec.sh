tensor-inspect --slice 'images[1:2:0]' test/data/records/small.safetensors

tensor-inspect --slice 'images[X=0]' test/data/records/small.safetensors

tensor-inspect --slice 'images[0,0,1:3,::2]' test/data/records/small.safetensors

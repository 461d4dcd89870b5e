tensor-inspect --slice 'images[-1,:,::-1,-1]' test/data/records/small.safetensors

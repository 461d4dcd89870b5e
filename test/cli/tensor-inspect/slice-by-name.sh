tensor-inspect --slice 'images[W=1:3,N=1]' test/data/records/small.safetensors

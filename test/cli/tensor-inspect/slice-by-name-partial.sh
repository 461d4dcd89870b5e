tensor-inspect --slice 'boxes[k=-2]' --precision 3 test/data/records/small.safetensors

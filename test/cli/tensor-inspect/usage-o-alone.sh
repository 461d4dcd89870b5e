tensor-inspect -o $T/x test/data/records/small.safetensors

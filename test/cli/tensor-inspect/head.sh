tensor-inspect --head 2 test/data/records/stream.vts test/data/records/small.safetensors

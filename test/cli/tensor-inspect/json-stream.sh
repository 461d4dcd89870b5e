tensor-inspect --json --head 2 test/data/records/stream.vts test/data/records/empty.vts test/data/records/no-tensors.safetensors

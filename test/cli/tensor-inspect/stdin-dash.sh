cat test/data/records/small.safetensors test/data/records/stream.vts | tensor-inspect --head 3 -

tensor-inspect test/data/records/no-tensors.safetensors test/data/records/foreign.safetensors test/data/records/empty.vts test/data/records/stream.vts

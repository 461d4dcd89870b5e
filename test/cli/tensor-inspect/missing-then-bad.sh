# the first failure decides the exit status
tensor-inspect no/such.vts test/data/bad/bad-hole.safetensors test/data/records/no-tensors.safetensors

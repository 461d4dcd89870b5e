# the error is reported and the next file is still shown
tensor-inspect no/such.safetensors test/data/records/no-tensors.safetensors

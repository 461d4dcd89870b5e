# -o naming a device writes to it and leaves it a device
tensor-inspect --slice 'labels[:]' -o /dev/null configs/data/fashion-mnist-16.safetensors && test -c /dev/null

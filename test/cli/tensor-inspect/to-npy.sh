cp test/data/records/small.safetensors "$T" && cd "$T" && mkdir out || exit
tensor-inspect --to-npy out --tensor images --tensor mask small.safetensors || exit
ls out
tensor-inspect out/images.npy out/mask.npy

cp test/data/records/dtypes.safetensors "$T" && cd "$T" && mkdir out || exit
tensor-inspect --to-npy out --tensor bf16 --tensor f16 dtypes.safetensors
rc=$?
ls out
exit $rc

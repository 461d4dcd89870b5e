# statistics of a tensor with no finite value
cp test/data/records/special.safetensors "$T" && cd "$T" || exit
tensor-inspect --slice 'v[1:4]' -o n.safetensors special.safetensors || exit
tensor-inspect --stats n.safetensors && tensor-inspect --json --stats n.safetensors

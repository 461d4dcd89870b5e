# every tensor of small.safetensors to .npy and back: same values
cp test/data/records/small.safetensors "$T" && cd "$T" && mkdir npy || exit
tensor-inspect --to-npy npy small.safetensors || exit
tensor-inspect --from-npy -o back.safetensors npy/*.npy || exit
tensor-inspect back.safetensors
for t in boxes classes half images mask scale valid; do
	tensor-inspect --slice $t small.safetensors | tail -n +2 > a
	tensor-inspect --slice $t back.safetensors | tail -n +2 > b
	cmp a b || exit
done

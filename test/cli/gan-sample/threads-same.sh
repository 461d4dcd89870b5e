# -j 1, 2 and 3 give the same bytes (dcgan: convolutions and batch norm on
# the pool; 64 images so that the products are cut)
set -e
gan-train -q --model dcgan --data configs/data/fashion-mnist-16.safetensors --batch 4 --iters 1 --sample-every 0 --out "$T/run"
c=$T/run/checkpoint.safetensors
for j in 1 2 3; do
	gan-sample -j $j --checkpoint "$c" -n 64 --seed 5 -o "$T/$j.safetensors"
done
cmp "$T/1.safetensors" "$T/2.safetensors" && cmp "$T/1.safetensors" "$T/3.safetensors" && echo same
gan-sample -j 0 --checkpoint "$c" -o - 2>&1 || echo "exit $?"

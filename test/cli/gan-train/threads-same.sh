# Any thread count, the same bytes: -j 1 against -j 2 and -j 3, and a run
# resumed with another count than it started with
set -e
d=configs/data/fashion-mnist-16.safetensors
for m in gan dcgan; do
	gan-train -q -j 1 --model $m --data $d --batch 16 --iters 4 --sample-every 0 --out "$T/$m-1"
	gan-train -q -j 2 --model $m --data $d --batch 16 --iters 2 --sample-every 0 --out "$T/$m-2"
	gan-train -q -j 3 --resume --iters 4 --out "$T/$m-2"
	cmp "$T/$m-1/checkpoint.safetensors" "$T/$m-2/checkpoint.safetensors"
	echo $m same
done

# N steps, stop, resume, N more: the same bytes as 2N steps at once
set -e
d=configs/data/fashion-mnist-16.safetensors
gan-train -q --model dcgan --data $d --batch 4 --iters 6 --sample-every 0 --out "$T/a"
gan-train -q --model dcgan --data $d --batch 4 --iters 3 --sample-every 0 --out "$T/b"
gan-train -q --resume --iters 6 --out "$T/b"
cmp "$T/a/checkpoint.safetensors" "$T/b/checkpoint.safetensors"
[ "$(sed "s/,[^,]*$//" "$T/a/log.csv")" = "$(sed "s/,[^,]*$//" "$T/b/log.csv")" ]
echo same

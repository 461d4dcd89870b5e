set -e
gan-train -q --model gan --data configs/data/fashion-mnist-16.safetensors --batch 4 --iters 2 --sample-every 0 --out "$T/run"
c=$T/run/checkpoint.safetensors
gan-sample --checkpoint "$c" -n 4 --seed 3 -o - | tensor-inspect -
gan-sample --checkpoint "$c" -n 4 --seed 3 -o "$T/a.safetensors"
gan-sample --checkpoint "$c" -n 4 --seed 3 -o "$T/b.safetensors"
cmp "$T/a.safetensors" "$T/b.safetensors" && echo same bytes for the same seed
gan-sample --checkpoint "$c" -n 4 --seed 4 -o "$T/d.safetensors"
cmp -s "$T/a.safetensors" "$T/d.safetensors" || echo other bytes for another seed
gan-sample --checkpoint "$c" -n 10 -o "$T/grid.png"
head -c 8 "$T/grid.png" | od -An -c | tr -s ' '
gan-sample --checkpoint "$c" -n 3 -o "$T/pngs"
ls "$T/pngs"

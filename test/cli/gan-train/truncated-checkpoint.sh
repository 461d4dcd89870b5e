set -e
gan-train -q --model gan --data configs/data/fashion-mnist-16.safetensors --batch 4 --iters 2 --sample-every 0 --out "$T/run"
head -c 100000 "$T/run/checkpoint.safetensors" > "$T/c" && mv "$T/c" "$T/run/checkpoint.safetensors"
set +e
gan-train -q --resume --iters 4 --out "$T/run"

gan-train --model gan --data configs/data/fashion-mnist-16.safetensors --batch 5 --out "$T/run"

head -c 5000 configs/data/fashion-mnist-16.safetensors > "$T/cut.safetensors"
gan-train --model gan --data "$T/cut.safetensors" --out "$T/run"

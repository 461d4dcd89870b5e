gan-train --model gan --iters 3 --epochs 1 --out "$T/run"

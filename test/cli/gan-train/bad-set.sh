gan-train --model gan --set optim.lr=fast --out "$T/run"

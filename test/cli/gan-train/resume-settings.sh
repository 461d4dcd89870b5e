gan-train --resume --model gan --out "$T/run"

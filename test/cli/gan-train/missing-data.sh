gan-train --model gan --data "$T/nothing.idx" --out "$T/run"

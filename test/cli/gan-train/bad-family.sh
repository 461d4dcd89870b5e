gan-train --model stylegan --out "$T/run"

set -e
gan-train -q --model gan --data configs/data/fashion-mnist-16.safetensors --batch 4 --iters 4 --sample-every 2 --out "$T/run"
cd "$T/run"
ls . samples
head -1 log.csv
wc -l < log.csv
grep -c '<polyline' loss.svg
head -1 config.cfg

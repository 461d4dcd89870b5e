# a checkpoint that cannot be written (a file size limit fails the write as a
# full disk does): exit 74 naming the file, the previous checkpoint intact,
# no temporary file left
set -e
d=configs/data/fashion-mnist-16.safetensors
gan-train -q --model gan --data $d --batch 4 --iters 2 --sample-every 0 --out "$T/run"
cp "$T/run/checkpoint.safetensors" "$T/before"
set +e
(trap '' XFSZ; ulimit -f 4096; gan-train -q --resume --iters 4 --sample-every 0 --out "$T/run")
echo "status $?"
cmp "$T/before" "$T/run/checkpoint.safetensors" && echo previous checkpoint intact
ls -a "$T/run" | grep -c '^\.checkpoint\|tmp' || true

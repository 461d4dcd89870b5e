# a checkpoint whose family is not the one its settings build: refused,
# naming both, the run directory untouched
set -e
gan-train -q --model dcgan --data configs/data/fashion-mnist-16.safetensors --batch 4 --iters 1 --sample-every 0 --out "$T/run"
sed -i 's/"vt.gan.family":"dcgan"/"vt.gan.family":"lsgan"/' "$T/run/checkpoint.safetensors"
cp "$T/run/checkpoint.safetensors" "$T/before"
set +e
gan-train -q --resume --iters 2 --out "$T/run"
rc=$?
cmp -s "$T/before" "$T/run/checkpoint.safetensors" || echo "checkpoint changed" >&2
exit $rc

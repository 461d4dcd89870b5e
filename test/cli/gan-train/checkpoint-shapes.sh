# a checkpoint whose tensors do not fit the model its settings build (here
# the image size edited from 32 to 16): each mismatch listed, nothing
# trained, the checkpoint untouched
set -e
gan-train -q --model dcgan --data configs/data/fashion-mnist-16.safetensors --batch 4 --iters 1 --sample-every 0 --out "$T/run"
sed -i 's/img_size = 32/img_size = 16/' "$T/run/checkpoint.safetensors"
cp "$T/run/checkpoint.safetensors" "$T/before"
set +e
gan-train -q --resume --iters 2 --out "$T/run"
rc=$?
cmp -s "$T/before" "$T/run/checkpoint.safetensors" || echo "checkpoint changed" >&2
exit $rc

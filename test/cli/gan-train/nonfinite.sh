# weights clipped to 1e-30 make the critic's input gradient underflow to 0,
# where the penalty's norm has no derivative: stopped before the update,
# named, and the checkpoint of the last good step kept
gan-train -q --model wgan_gp --set loss.clip_value=1e-30 --data configs/data/fashion-mnist-16.safetensors --batch 4 --iters 8 --checkpoint-every 1 --sample-every 0 --out "$T/run"
rc=$?
tensor-inspect --json "$T/run/checkpoint.safetensors" | grep -o '"vt.gan.step":"[0-9]*"'
exit $rc

# SIGTERM: the checkpoint is written, the exit status says so, --resume goes on
d=configs/data/fashion-mnist-16.safetensors
gan-train --model gan --data $d --batch 4 --iters 100000000 --sample-every 0 --checkpoint-every 0 --out "$T/run" 2> "$T/err" &
pid=$!
for i in $(seq 100); do [ -s "$T/run/log.csv" ] && [ "$(wc -l < "$T/run/log.csv")" -gt 3 ] && break; sleep 0.1; done
kill -TERM $pid
wait $pid
echo "status $?"
grep -o 'stopped by signal 15 at step [0-9]*' "$T/err" | sed 's/[0-9]*$/N/'
steps=$(tail -1 "$T/run/log.csv" | cut -d, -f1)
gan-train -q --resume --iters $((steps + 2)) --out "$T/run" && tail -1 "$T/run/log.csv" | cut -d, -f1 | awk -v s=$steps '{ print $1 - s }'

#!/bin/sh
# gan-train against PyTorch on the CPU, in one go; prints the ratios.
#
#   scripts/bench/gan-train.sh BIN_DIR [MODEL...]
#
# For each family (default: gan wgan_gp dcgan), trains at batch 64 on
# Fashion-MNIST: PyTorch (Debian python3-torch, the networks and step order
# of the PyTorch-GAN collection, scripts/bench/gan_torch.py) at each thread
# setting (torch's own threads 1 or 2, times OpenBLAS's 1 or 2: its two
# pools compete on two cores, and the best mix differs by model), keeping
# the best, and gan-train with its defaults.  Prints the
# milliseconds per iteration (one batch, after a warm-up), images per second,
# the ratio and the peak resident memory of each process.  Issue 6's goals:
# vt at least 1.5x faster than PyTorch's best (2x for the MLP families), with
# a lower peak RSS.  ITERS (default 200; dcgan a quarter) sets the length.
set -eu
bin=$(cd "${1:?usage: $0 BIN_DIR [MODEL...]}" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3}
idx=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -r "$idx" ] || { echo "gan-train bench: $idx missing (dataset-fashion-mnist)"; exit 0; }
"$py" -c 'import torch' 2>/dev/null || { echo "gan-train bench: $py has no torch (python3-torch)"; exit 0; }
[ $# -gt 0 ] || set -- gan wgan_gp dcgan
work=$(mktemp -d "${TMPDIR:-/tmp}/vt-bench-gan.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# run CMD...: the command's stdout to $work/out, its peak RSS (MB) to $work/rss
run() {
	/usr/bin/time -f %M -o "$work/time" "$@" > "$work/out"
	awk '{ printf "%.0f\n", $1 / 1024 }' "$work/time" > "$work/rss"
}

for model in "$@"; do
	iters=${ITERS:-200}
	[ "$model" != dcgan ] && [ "$model" != lsgan ] || iters=$((iters / 4))
	best=; best_rss=; best_th=
	for th in 1 2; do
		for ob in 1 2; do
			run env OMP_NUM_THREADS=$th OPENBLAS_NUM_THREADS=$ob \
				"$py" "$here/gan_torch.py" "$model" "$iters" "$th"
			ms=$(cat "$work/out")
			echo "$model: PyTorch, $th thread(s), OpenBLAS $ob: $ms ms/iteration, peak RSS $(cat "$work/rss") MB"
			if [ -z "$best" ] || awk "BEGIN { exit !($ms < $best) }"; then
				best=$ms; best_rss=$(cat "$work/rss"); best_th="$th, OpenBLAS $ob"
			fi
		done
	done
	warm=$((iters / 10)); [ $warm -ge 3 ] || warm=3
	rm -rf "$work/vt"
	run "$bin/gan-train" --model "$model" --iters $((iters + warm)) --seed 1 \
		--sample-every 0 --checkpoint-every 0 --out "$work/vt"
	# ms per iteration from log.csv's seconds column, after the warm-up
	vt=$(awk -F, -v warm=$warm '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "seconds") c = i; next }
		$1 == warm { t0 = $c; s0 = $1 } { t1 = $c; s1 = $1 }
		END { if (!c || s1 <= s0) exit 1; printf "%.2f\n", (t1 - t0) * 1000 / (s1 - s0) }' \
		"$work/vt/log.csv")
	echo "$model: vt: $vt ms/iteration, peak RSS $(cat "$work/rss") MB"
	awk -v m="$model" -v p="$best" -v v="$vt" -v th="$best_th" 'BEGIN {
		printf "%s: %.0f vs %.0f images/s, vt %.2fx faster than PyTorch (%s thread(s), its best)\n",
			m, 64000 / v, 64000 / p, p / v, th }'
done

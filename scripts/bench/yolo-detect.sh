#!/bin/sh
# yolo-detect against OpenCV DNN (Debian python3-opencv) and Debian's darknet
# on the same models and image, in one run; prints the times and the ratios.
#
#   scripts/bench/yolo-detect.sh BIN_DIR [CFG ...]
#
# The models are CFG... (default configs/yolo/yolov3-tiny.cfg, yolov4-tiny.cfg
# and yolov3.cfg) at 416x416 with synthetic weights from yolo-detect
# --synth-weights.  vt runs with --thresh 1 (no box passes, so NMS costs
# nothing): the synthetic weights do not give realistic detections (on
# yolov3 their activations grow layer after layer and 200,000 boxes pass
# 0.25, whose NMS would be timed instead of the network), and OpenCV's
# forward does not include NMS either.  The image is a
# 768x576 PNG made here (darknet's dog.png from ../shared/fixtures/yolo when
# present).  vt is timed as one process over N copies of the image (model
# load paid once and subtracted, divided by N; with -j 2 two images run at
# once; -j 1 is one thread); OpenCV as imread, blobFromImage and
# net.forward() after its own model load, median of N, with
# cv2.setNumThreads(1) and (2), so that both sides do the same work (read
# the file, preprocess, run the network); darknet (when installed)
# as the "Predicted in" time it prints for one image (forward only, one
# thread; run with -thresh 1, since its O(n^2) NMS over the many boxes of
# synthetic weights takes minutes and is not timed anyway), except for
# yolov4-tiny, which pjreddie's darknet cannot run.
# N is BENCH_N (10), a third of it for yolov3 (made even).
set -eu
bin=$(cd "${1:?usage: $0 BIN_DIR [CFG ...]}" && pwd)
shift
[ $# -gt 0 ] || set -- configs/yolo/yolov3-tiny.cfg configs/yolo/yolov4-tiny.cfg \
	configs/yolo/yolov3.cfg
py=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d "${TMPDIR:-/tmp}/vt-bench-yolo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

img=../shared/fixtures/yolo/images/dog.png
if [ -r "$img" ]; then
	img=$(cd "$(dirname "$img")" && pwd)/dog.png
else
	img=$work/img.png
	"$py" -c "
import zlib, struct, sys
w, h = 768, 576
raw = b''.join(b'\0' + bytes((x * 7 + y * 3 + c * 50) % 256 for x in range(w) for c in range(3)) for y in range(h))
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
" "$img"
fi
have_cv=1
"$py" -c 'import cv2' 2>/dev/null || have_cv=0
[ $have_cv = 1 ] || echo "yolo-detect bench: OpenCV (python3-opencv) missing; no OpenCV ratio"
command -v darknet >/dev/null || echo "yolo-detect bench: darknet missing; no darknet ratio"
printf 'classes=80\nnames=%s\n' "$(pwd)/configs/yolo/coco.names" > "$work/d.data"

bench() {  # cfg
	name=$(basename "$1" .cfg)
	n=${BENCH_N:-10}
	# even, so that -j 2 never ends on one image alone
	[ "$name" = yolov3 ] && n=$(( (n + 5) / 6 * 2 ))
	sed 's/^width=.*/width=416/; s/^height=.*/height=416/' "$1" > "$work/m.cfg"
	"$bin/yolo-detect" -c "$work/m.cfg" --synth-weights "$work/m.weights"
	i=0
	while [ $i -lt "$n" ]; do echo "$img"; i=$((i + 1)); done > "$work/list"
	"$bin/yolo-detect" -c "$work/m.cfg" -w "$work/m.weights" --thresh 1 "$img" > /dev/null  # warm
	vt_time() {  # threads -> seconds per image, model load subtracted
		t0=$(date +%s.%N)
		"$bin/yolo-detect" -j "$1" -c "$work/m.cfg" -w "$work/m.weights" --thresh 1 --list "$work/list" > /dev/null
		t1=$(date +%s.%N)
		"$bin/yolo-detect" -j "$1" -c "$work/m.cfg" -w "$work/m.weights" --thresh 1 --list /dev/null > /dev/null
		t2=$(date +%s.%N)
		echo "($t1 - $t0 - ($t2 - $t1)) / $n" | bc -l
	}
	vt1=$(vt_time 1)
	vt2=$(vt_time 2)
	printf '%s: vt %.4f s per image (1 thread, decode+letterbox+forward)\n' "$name" "$vt1"
	printf '%s: vt %.4f s per image (2 threads, -j 2)\n' "$name" "$vt2"
	printf '%s: vt -j 2 throughput over -j 1: %.2fx (goal: near 2)\n' "$name" \
		"$(echo "$vt1 / $vt2" | bc -l)"
	if [ $have_cv = 1 ]; then
		"$py" - "$work/m.cfg" "$work/m.weights" "$img" "$n" "$vt1" "$vt2" "$name" <<'PY'
import sys, time
import cv2, numpy as np
cfg, weights, img, n, name = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[7]
vt = {1: float(sys.argv[5]), 2: float(sys.argv[6])}
net = cv2.dnn.readNetFromDarknet(cfg, weights)
im = cv2.imread(img)
outs = net.getUnconnectedOutLayersNames()
for th in (1, 2):
    cv2.setNumThreads(th)
    blob = cv2.dnn.blobFromImage(im, 1 / 255, (416, 416), swapRB=True, crop=False)
    net.setInput(blob); net.forward(outs)
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        im = cv2.imread(img)
        blob = cv2.dnn.blobFromImage(im, 1 / 255, (416, 416), swapRB=True, crop=False)
        net.setInput(blob)
        net.forward(outs)
        ts.append(time.perf_counter() - t)
    cv = sorted(ts)[len(ts) // 2]
    s = 's' if th > 1 else ''
    print(f"{name}: OpenCV DNN {cv2.__version__} {cv:.4f} s per image ({th} thread{s}, imread+blob+forward)")
    print(f"{name}: ratio vt/OpenCV, {th} thread{s}: {vt[th] / cv:.2f} (goal <= 0.8)")
PY
	fi
	if command -v darknet >/dev/null && [ "$name" != yolov4-tiny ]; then
		dk=$(cd "$work" && darknet detector test d.data m.cfg m.weights "$img" \
			-thresh 1 -out pred 2>/dev/null | sed -n 's/.*Predicted in \([0-9.]*\) seconds.*/\1/p')
		if [ -n "$dk" ]; then
			printf '%s: darknet (Debian) %.4f s per image (1 thread, forward)\n' "$name" "$dk"
			printf '%s: ratio vt/darknet, 1 thread: %.3f\n' "$name" "$(echo "$vt1 / $dk" | bc -l)"
		fi
	fi
}

for cfg in "$@"; do
	bench "$cfg"
done

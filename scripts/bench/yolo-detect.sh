#!/bin/sh
# yolo-detect against OpenCV DNN (Debian python3-opencv) on the same model
# and image, on one and on two threads; prints the times and the ratios.
#
#   scripts/bench/yolo-detect.sh BIN_DIR [CFG]
#
# The model is CFG (configs/yolo/yolov3-tiny.cfg by default) at 416x416 with
# synthetic weights from yolo-detect --synth-weights (timings do not depend
# on the values).  The image is a 768x576 PNG made here (darknet's dog.png
# from ../shared/fixtures/yolo when present).  vt is timed as one process
# over N copies of the image (model load paid once, divided by N; with -j 2
# two images run at once); OpenCV as net.forward() on blobFromImage after its
# own model load, median of N, with cv2.setNumThreads(1) and (2).
set -eu
bin=$(cd "${1:?usage: $0 BIN_DIR [CFG]}" && pwd)
cfg=${2:-configs/yolo/yolov3-tiny.cfg}
py=${PYTHON:-/usr/bin/python3}
n=${BENCH_N:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/vt-bench-yolo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

sed 's/^width=.*/width=416/; s/^height=.*/height=416/' "$cfg" > "$work/m.cfg"
"$bin/yolo-detect" -c "$work/m.cfg" --synth-weights "$work/m.weights"
img=../shared/fixtures/yolo/images/dog.png
if [ ! -r "$img" ]; then
	img=$work/img.png
	"$py" -c "
import zlib, struct, sys
w, h = 768, 576
raw = b''.join(b'\0' + bytes((x * 7 + y * 3 + c * 50) % 256 for x in range(w) for c in range(3)) for y in range(h))
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))
" "$img"
fi
i=0
while [ $i -lt "$n" ]; do echo "$img"; i=$((i + 1)); done > "$work/list"
"$bin/yolo-detect" -c "$work/m.cfg" -w "$work/m.weights" "$img" > /dev/null  # warm
vt_time() {  # threads -> seconds per image, model load subtracted
	t0=$(date +%s.%N)
	"$bin/yolo-detect" -j "$1" -c "$work/m.cfg" -w "$work/m.weights" --list "$work/list" > /dev/null
	t1=$(date +%s.%N)
	"$bin/yolo-detect" -j "$1" -c "$work/m.cfg" -w "$work/m.weights" --list /dev/null > /dev/null
	t2=$(date +%s.%N)
	echo "($t1 - $t0 - ($t2 - $t1)) / $n" | bc -l
}
vt1=$(vt_time 1)
vt2=$(vt_time 2)
printf 'yolo-detect %s: vt %.4f s per image (1 thread, decode+letterbox+forward+NMS)\n' "$(basename "$cfg")" "$vt1"
printf 'yolo-detect %s: vt %.4f s per image (2 threads, -j 2)\n' "$(basename "$cfg")" "$vt2"

if ! "$py" -c 'import cv2' 2>/dev/null; then
	echo "yolo-detect bench: OpenCV (python3-opencv) missing; no ratio"
	exit 0
fi
"$py" - "$work/m.cfg" "$work/m.weights" "$img" "$n" "$vt1" "$vt2" <<'PY'
import sys, time
import cv2, numpy as np
cfg, weights, img, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
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
        blob = cv2.dnn.blobFromImage(im, 1 / 255, (416, 416), swapRB=True, crop=False)
        net.setInput(blob)
        net.forward(outs)
        ts.append(time.perf_counter() - t)
    cv = sorted(ts)[len(ts) // 2]
    print(f"OpenCV DNN {cv2.__version__}: {cv:.4f} s per image ({th} thread{'s' if th > 1 else ''}, blob+forward)")
    print(f"ratio vt/OpenCV, {th} thread{'s' if th > 1 else ''}: {vt[th] / cv:.2f} (goal <= 0.8)")
PY

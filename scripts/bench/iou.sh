#!/bin/sh
# iou against torchvision.ops.box_iou on a 10,000 x 10,000 matrix.
#   scripts/bench/iou.sh BIN_DIR [N]
# Both get the same N random float32 boxes (written once as two tensor
# records).  torchvision is timed on box_iou alone (best of 2) and end to end
# (a fresh python: import, load both files, box_iou, write the matrix); vt
# end to end is `iou -o out.safetensors A B` (best of 3), and the matrix alone
# is vt_box_iou_matrix into memory (best of 3, by a small program built
# against lib/libvt.a when that is there).  The two matrices are compared.
set -eu
bin=${1:-bin}
n=${2:-10000}
py=${PYTHON:-/usr/bin/python3}
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/vt-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export OPENBLAS_NUM_THREADS=1

timer=
if [ -f "$root/lib/libvt.a" ]; then
	cat > "$dir/timer.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "vt/box.h"
int main(int argc, char **argv)
{
	struct vt_err err;
	float *a, *b, *out;
	size_t n, m;
	double best = 1e30;

	if (argc != 3 || vt_boxes_load(argv[1], VT_BOX_XYXY, &a, &n, &err) ||
	    vt_boxes_load(argv[2], VT_BOX_XYXY, &b, &m, &err) ||
	    !(out = malloc(n * m * sizeof *out)))
		return 1;
	for (int k = 0; k < 3; k++) {
		struct timespec t0, t1;
		double s;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		vt_box_iou_matrix(out, a, n, b, m, VT_BOX_IOU, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
		best = s < best ? s : best;
	}
	printf("%.4f\n", best);
	return 0;
}
C
	${CC:-cc} -O2 -std=c11 -D_DEFAULT_SOURCE -pthread -I"$root/lib/include" \
		-o "$dir/timer" "$dir/timer.c" "$root/lib/libvt.a" -lm &&
		timer=$dir/timer
fi

$py - "$dir" "$n" "$bin" "$timer" <<'PY'
import json, os, struct, subprocess, sys, time
import numpy as np

dir, n, bin, timer = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def write_record(path, name, arr, dims):
    raw = arr.astype("<f4").tobytes()
    h = {"__metadata__": {"vt.dims." + name: dims, "vt.format": "1"},
         name: {"dtype": "F32", "shape": list(arr.shape),
                "data_offsets": [0, len(raw)]}}
    h = json.dumps(h, separators=(",", ":")).encode()
    h += b" " * (-(8 + len(h)) % 64)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + raw)

rng = np.random.default_rng(7)
paths = []
for name in ("a", "b"):
    xy = rng.uniform(0, 1000, size=(n, 2))
    wh = rng.uniform(1, 100, size=(n, 2))
    boxes = np.concatenate([xy, xy + wh], axis=1).astype(np.float32)
    p = os.path.join(dir, name + ".safetensors")
    write_record(p, "boxes", boxes, "N,")
    paths.append(p)

def best(fn, k, fresh=None):
    ts = []
    for _ in range(k):
        if fresh and os.path.exists(fresh):
            os.remove(fresh)   # write a new file each time, as a user would
        t0 = time.perf_counter()
        r = fn()
        ts.append(time.perf_counter() - t0)
    return min(ts), r

# vt, end to end and the matrix alone
out = os.path.join(dir, "vt.safetensors")
tv, _ = best(lambda: subprocess.run([os.path.join(bin, "iou"), "-o", out] +
                                    paths, check=True), 3, out)
tm = float("nan")
if timer:
    tm = float(subprocess.run([timer] + paths, check=True,
                              capture_output=True, text=True).stdout)

# torchvision end to end, in a fresh interpreter
script = r'''
import json, struct, sys
import numpy as np, torch
from torchvision.ops import box_iou
def load(p):
    with open(p, "rb") as f:
        k = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(k))
        return torch.from_numpy(np.fromfile(f, dtype="<f4").reshape(h["boxes"]["shape"]))
r = box_iou(load(sys.argv[1]), load(sys.argv[2])).numpy()
h = json.dumps({"iou": {"dtype": "F32", "shape": list(r.shape),
                        "data_offsets": [0, r.nbytes]}}).encode()
h += b" " * (-(8 + len(h)) % 64)
with open(sys.argv[3], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    r.tofile(f)
'''
tout = os.path.join(dir, "tv.safetensors")
te, _ = best(lambda: subprocess.run([sys.executable, "-c", script] + paths +
                                    [tout], check=True), 1)
os.remove(tout)

# torchvision box_iou alone
import torch
from torchvision.ops import box_iou
def load(p):
    with open(p, "rb") as f:
        k = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(k))
        return torch.from_numpy(np.fromfile(f, dtype="<f4").reshape(h["boxes"]["shape"]))
a, b = load(paths[0]), load(paths[1])
tt, ref = best(lambda: box_iou(a, b), 2)

with open(out, "rb") as f:
    k = struct.unpack("<Q", f.read(8))[0]
got = np.memmap(out, dtype="<f4", mode="r", offset=8 + k).reshape(n, n)
diff = float(np.abs(got - ref.numpy()).max())
assert diff <= 1e-6, diff
print(f"iou {n}x{n}: torchvision {tt:.2f} s, vt {tv:.2f} s, ratio {tt / tv:.0f}x "
      f"(torchvision box_iou alone, vt iou end to end)")
print(f"  end to end both (load, compute, write): torchvision {te:.2f} s, "
      f"vt {tv:.2f} s, ratio {te / tv:.0f}x")
print(f"  matrix alone: torchvision {tt:.2f} s, vt {tm:.3f} s, "
      f"ratio {tt / tm:.0f}x; max |vt - torchvision| {diff:.2g}; "
      f"{os.cpu_count()} CPUs")
PY

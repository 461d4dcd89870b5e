#!/bin/sh
# tensor-inspect --stats against numpy on a 1 GiB float32 tensor.
#   scripts/bench/stats.sh BIN_DIR [MiB]
# numpy computes min, max, mean and std of the same array (loaded with
# np.fromfile, memory-mapped like vt, timed separately from the load).
set -eu
bin=${1:-bin}
mib=${2:-1024}
py=${PYTHON:-/usr/bin/python3}
dir=$(mktemp -d "${TMPDIR:-/tmp}/vt-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
f=$dir/x.safetensors
$py - "$f" "$mib" <<'PY'
import json, struct, sys
import numpy as np
path, mib = sys.argv[1], int(sys.argv[2])
n = mib * (1 << 20) // 4
h = json.dumps({"__metadata__": {"vt.format": "1"},
                "x": {"dtype": "F32", "shape": [n], "data_offsets": [0, 4 * n]}},
               separators=(",", ":")).encode()
h += b" " * (-(8 + len(h)) % 64)
rng = np.random.default_rng(1)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    step = 1 << 24
    for i in range(0, n, step):
        (rng.standard_normal(min(step, n - i), dtype=np.float32) * 3 + 100).tofile(f)
PY
cat "$f" > /dev/null  # both read from the page cache
OPENBLAS_NUM_THREADS=1 $py - "$f" "$bin" <<'PY'
import json, os, struct, subprocess, sys, time
import numpy as np
path, bin = sys.argv[1], sys.argv[2]
with open(path, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
def best(fn, k=3):
    t = []
    for _ in range(k):
        t0 = time.perf_counter(); r = fn(); t.append(time.perf_counter() - t0)
    return min(t), r
a = np.memmap(path, dtype=np.float32, mode="r", offset=8 + n)
def numpy_stats():
    return float(a.min()), float(a.max()), float(a.mean(dtype=np.float64)), float(a.std(dtype=np.float64))
def numpy_all():
    b = np.fromfile(path, dtype=np.float32, offset=8 + n)
    return float(b.min()), float(b.max()), float(b.mean(dtype=np.float64)), float(b.std(dtype=np.float64))
tn, ref = best(numpy_stats)
tl, _ = best(numpy_all, 2)
def vt():
    out = subprocess.run([os.path.join(bin, "tensor-inspect"), "--stats", "--json", path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["tensors"][0]["stats"]
tv, s = best(vt)
got = (s["min"], s["max"], s["mean"], s["std"])
for r, g in zip(ref, got):
    assert abs(r - g) <= 1e-6 * max(1.0, abs(r)), (ref, got)
mib = os.path.getsize(path) / 2**20
print(f"stats {mib:.0f} MiB F32: numpy {tn:.3f} s (with load {tl:.3f} s), "
      f"vt {tv:.3f} s end to end, ratio {tn / tv:.1f}x ({tl / tv:.1f}x with load)")
PY

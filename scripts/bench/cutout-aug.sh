#!/bin/sh
# cutout-aug against Python baselines, in one go; prints the ratios.
#
#   scripts/bench/cutout-aug.sh BIN_DIR
#
# 1. Tensor mode: the 60,000 Fashion-MNIST training images (Debian's
#    dataset-fashion-mnist), Cutout of one 16-pixel hole: cutout-aug reads
#    the IDX file itself (gzip included in its time) and writes U8
#    [60000,1,28,28]; against a Python loop applying the reference Cutout
#    (DeVries & Taylor's util/cutout.py: numpy mask, torch multiply) to each
#    image tensor, F32 normalised and already in memory.  Target >= 20x.
#    For information, cutout-aug on the same F32 tensor as a .safetensors
#    file (made with numpy) is timed too.
# 2. Image mode: 300 PNG files 128x128 RGB in, PNG out, Random Erasing,
#    against torchvision.transforms.RandomErasing with PIL decode and encode.
#    Target >= 3x.  The same work on both sides: decode, erase, encode and
#    write each file.  cutout-aug runs with -j 1 (one thread, like the Python
#    loop) and with its default (-j = the number of cores); both ratios are
#    printed.
# Only the work is timed: the Python side after its imports and data
# loading, the vt side as a whole process (reading and writing included).
set -eu
bin=$(cd "${1:?usage: $0 BIN_DIR}" && pwd)
py=${PYTHON:-/usr/bin/python3}
idx=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
[ -r "$idx" ] || { echo "cutout-aug bench: $idx missing (dataset-fashion-mnist)"; exit 0; }
work=$(mktemp -d "${TMPDIR:-/tmp}/vt-bench-cutout.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

"$py" - "$idx" "$work" <<'PY'
import gzip, json, os, struct, sys
import numpy as np
from PIL import Image
idx, work = sys.argv[1], sys.argv[2]
with gzip.open(idx) as f:
    magic, n, h, w = struct.unpack(">IIII", f.read(16))
    x = np.frombuffer(f.read(), np.uint8).reshape(n, 1, h, w)
x = ((x.astype(np.float32) / 255 - 0.2860) / 0.3530).astype(np.float32)
np.save(os.path.join(work, "fmnist.npy"), x)
b = x.tobytes()
hdr = {"__metadata__": {"vt.format": "1", "vt.dims.images": "N,C,H,W"},
       "images": {"dtype": "F32", "shape": list(x.shape),
                  "data_offsets": [0, len(b)]}}
j = json.dumps(hdr, separators=(",", ":")).encode()
j += b" " * ((-(8 + len(j))) % 64)
with open(os.path.join(work, "fmnist.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(j)) + j + b)
os.makedirs(os.path.join(work, "png"))
rng = np.random.default_rng(0)
for i in range(300):
    base = np.kron(x[i, 0] > 0, np.ones((5, 5)))[:128, :128]
    img = (rng.integers(0, 64, (128, 128, 3)) + 160 * base[..., None]).astype(np.uint8)
    Image.fromarray(img).save(os.path.join(work, "png", f"{i:03d}.png"))
PY

# date(1) costs about a millisecond; a Python start-up as the clock would add
# tens of milliseconds to vt's side
now() { date +%s.%N; }
elapsed() { "$py" -c "print(f'{$2 - $1:.3f}')"; }

# 1. tensors
t0=$(now)
# to standard output as in a pipeline (the Python side keeps its result in
# memory and writes nothing)
"$bin/cutout-aug" -q --length 16 --seed 1 -o - "$idx" > "$work/out-idx.safetensors"
t1=$(now)
vt_t=$(elapsed "$t0" "$t1")
t0=$(now)
"$bin/cutout-aug" -q --length 16 --seed 1 -o - "$work/fmnist.safetensors" > "$work/out.safetensors"
t1=$(now)
vtf_t=$(elapsed "$t0" "$t1")
py_t=$("$py" - "$work" <<'PY'
import os, sys, time
import numpy as np
import torch
torch.set_num_threads(1)

class Cutout:
    """One or more square holes, centre uniform over the image, clipped."""
    def __init__(self, n_holes, length):
        self.n_holes, self.length = n_holes, length
    def __call__(self, img):
        h, w = img.size(1), img.size(2)
        mask = np.ones((h, w), np.float32)
        for _ in range(self.n_holes):
            cy, cx = np.random.randint(h), np.random.randint(w)
            y1, y2 = np.clip(cy - self.length // 2, 0, h), np.clip(cy + self.length // 2, 0, h)
            x1, x2 = np.clip(cx - self.length // 2, 0, w), np.clip(cx + self.length // 2, 0, w)
            mask[y1:y2, x1:x2] = 0.0
        return img * torch.from_numpy(mask).expand_as(img)

x = torch.from_numpy(np.load(os.path.join(sys.argv[1], "fmnist.npy")))
cut = Cutout(1, 16)
np.random.seed(1)
t0 = time.monotonic()
out = torch.stack([cut(x[i]) for i in range(x.shape[0])])
print(f"{time.monotonic() - t0:.3f}")
PY
)
echo "tensor mode, 60000 Fashion-MNIST images: cutout-aug ${vt_t}s (IDX.gz in, U8 out), ${vtf_t}s (F32 .safetensors in and out), Python+torch Cutout ${py_t}s"
"$py" -c "print(f'tensor ratio: {$py_t / $vt_t:.1f}x from IDX, {$py_t / $vtf_t:.1f}x on F32 (target >= 20x)')"

# 2. images
t0=$(now)
"$bin/cutout-aug" -q -j 1 --mode erase --seed 1 -o "$work/vt-out1" "$work/png"
t1=$(now)
vt1_t=$(elapsed "$t0" "$t1")
t0=$(now)
"$bin/cutout-aug" -q --mode erase --seed 1 -o "$work/vt-out" "$work/png"
t1=$(now)
vt_t=$(elapsed "$t0" "$t1")
py_t=$("$py" - "$work" <<'PY'
import os, sys, time
import torch
from PIL import Image
from torchvision.transforms import RandomErasing
import torchvision.transforms.functional as F
torch.set_num_threads(1)
torch.manual_seed(1)
src = os.path.join(sys.argv[1], "png")
dst = os.path.join(sys.argv[1], "py-out")
os.makedirs(dst)
erase = RandomErasing(p=1.0)
t0 = time.monotonic()
for name in sorted(os.listdir(src)):
    img = F.pil_to_tensor(Image.open(os.path.join(src, name)).convert("RGB"))
    F.to_pil_image(erase(img)).save(os.path.join(dst, name))
print(f"{time.monotonic() - t0:.3f}")
PY
)
cores=$(getconf _NPROCESSORS_ONLN)
echo "image mode, 300 PNG 128x128 in and out: cutout-aug ${vt1_t}s (-j 1), ${vt_t}s (-j $cores, the default), torchvision+PIL ${py_t}s"
"$py" -c "print(f'image ratio: {$py_t / $vt_t:.1f}x with -j $cores, {$py_t / $vt1_t:.1f}x with -j 1 (target >= 3x)')"

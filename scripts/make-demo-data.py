#!/usr/bin/env python3
"""Make the bundled demo data from Debian's dataset-fashion-mnist.

Writes configs/data/fashion-mnist-16.safetensors: the first 16 test images as
`images` U8 [N=16, C=1, H=28, W=28] and their labels as `labels` I64 [N=16],
with the class names in metadata, in vt's tensor format (written here with the
standard library only, as vt-tensor(5) describes), and
configs/data/fashion-mnist.names (one class name per line).
"""
import gzip
import json
import struct
import sys

SRC = "/usr/share/datasets/fashion-mnist"
NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
         "Shirt", "Sneaker", "Bag", "Ankle boot"]
N = 16


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, rank = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, path
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return dims, data[4 + 4 * rank:]


def record(tensors, meta):
    """tensors: name -> (dtype, shape, bytes, dims); vt's canonical order."""
    size = {"I64": 8, "F32": 4, "U8": 1}
    order = sorted(tensors, key=lambda n: (-size[tensors[n][0]], n))
    md = {"vt.format": "1"}
    md.update(meta)
    for n in order:
        md["vt.dims." + n] = ",".join(tensors[n][3])
    header = {"__metadata__": dict(sorted(md.items()))}
    off = 0
    for n in order:
        dt, shape, raw, _ = tensors[n]
        header[n] = {"dtype": dt, "shape": list(shape),
                     "data_offsets": [off, off + len(raw)]}
        off += len(raw)
    h = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    h += b" " * (-(8 + len(h)) % 64)
    return struct.pack("<Q", len(h)) + h + b"".join(tensors[n][2] for n in order)


def main():
    (n, rows, cols), pix = idx(SRC + "/t10k-images-idx3-ubyte.gz")
    (m,), lab = idx(SRC + "/t10k-labels-idx1-ubyte.gz")
    assert n == m and rows == cols == 28
    images = pix[:N * 784]
    labels = b"".join(struct.pack("<q", b) for b in lab[:N])
    blob = record({"images": ("U8", (N, 1, 28, 28), images, ("N", "C", "H", "W")),
                   "labels": ("I64", (N,), labels, ("N",))},
                  {"source": "Fashion-MNIST t10k, first 16 (dataset-fashion-mnist)",
                   "classes": ",".join(NAMES)})
    with open("configs/data/fashion-mnist-16.safetensors", "wb") as f:
        f.write(blob)
    with open("configs/data/fashion-mnist.names", "w") as f:
        f.write("\n".join(NAMES) + "\n")


if __name__ == "__main__":
    sys.exit(main())

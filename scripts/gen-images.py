#!/usr/bin/python3
"""Image fixtures for test_image, test_augment and the cutout-aug cases.

    /usr/bin/python3 scripts/gen-images.py   (from the repository root)

Good images go to test/data/images/, hostile and broken ones to
test/data/bad/img-*.  Pixel (x, y) of channel c is (37x + 91y + 53c) mod 256,
so tests can recompute every value.  Written with PIL (Debian's
python3-pil) and struct, deterministic bytes.
"""
import os
import struct
import zlib

from PIL import Image

GOOD = "test/data/images"
BAD = "test/data/bad"


def pixels(w, h, c):
    return bytes((37 * x + 91 * y + 53 * k) % 256
                 for y in range(h) for x in range(w) for k in range(c))


def save(img, path, **kw):
    img.save(path, **kw)


def png_chunk(kind, data):
    return (struct.pack(">I", len(data)) + kind + data +
            struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))


def png_raw(w, h, depth=8, color=2, idat=None):
    """A PNG with a chosen header; idat defaults to a tiny valid stream."""
    ihdr = struct.pack(">IIBBBBB", w, h, depth, color, 0, 0, 0)
    if idat is None:
        idat = zlib.compress(b"\0" * 4)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b""))


def main():
    os.makedirs(GOOD, exist_ok=True)
    os.makedirs(BAD, exist_ok=True)
    modes = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}
    for c, mode in modes.items():
        Image.frombytes(mode, (7, 5), pixels(7, 5, c)).save(
            f"{GOOD}/c{c}-7x5.png", optimize=False)
    rgb = Image.frombytes("RGB", (7, 5), pixels(7, 5, 3))
    rgb.save(f"{GOOD}/c3-7x5.bmp")
    rgb.save(f"{GOOD}/c3-7x5.tga", compression=None)
    rgb.save(f"{GOOD}/c3-7x5.ppm")
    rgb.save(f"{GOOD}/c3-7x5.jpg", quality=95, subsampling=0)
    Image.frombytes("L", (7, 5), pixels(7, 5, 1)).save(f"{GOOD}/c1-7x5.gif")
    # a 16-bit grey PNG: stb reads it as 8 bits (the high byte, rounded)
    Image.frombytes("I;16", (7, 5), bytes(
        v for p in pixels(7, 5, 1) for v in struct.pack("<H", p * 257))
    ).save(f"{GOOD}/g16-7x5.png")
    # a directory tree for cutout-aug
    os.makedirs(f"{GOOD}/tree/sub", exist_ok=True)
    Image.frombytes("RGB", (32, 24), pixels(32, 24, 3)).save(
        f"{GOOD}/tree/a.png")
    Image.frombytes("L", (20, 20), pixels(20, 20, 1)).save(
        f"{GOOD}/tree/sub/b.png")
    Image.frombytes("RGB", (16, 16), pixels(16, 16, 3)).save(
        f"{GOOD}/tree/sub/c.bmp")

    good_png = open(f"{GOOD}/c3-7x5.png", "rb").read()
    good_jpg = open(f"{GOOD}/c3-7x5.jpg", "rb").read()
    bad = {
        "img-empty.png": b"",
        "img-garbage.png": bytes((i * 7919) % 251 for i in range(300)),
        "img-truncated.png": good_png[:len(good_png) // 2],
        "img-truncated.jpg": good_jpg[:len(good_jpg) // 2],
        "img-header-only.png": good_png[:33],
        # 20000 x 20000 in a valid header: refused before decoding
        "img-huge.png": png_raw(20000, 20000),
        # 16384 x 16385 (one row over) and 2^31-1 wide
        "img-tall.png": png_raw(16384, 16385),
        "img-wide.png": png_raw(0x7fffffff, 1),
        # 20000 x 20000 grey 1 bit: within what stb itself accepts
        "img-huge-1bit.png": png_raw(20000, 20000, depth=1, color=0),
        "img-zero.png": png_raw(0, 5),
        # a header that claims 5 x 5 RGB with an IDAT of corrupt zlib data
        "img-bad-zlib.png": png_raw(5, 5, idat=b"\x78\x9c\xff\xff\xff\xff"),
        # BMP with a height of -2^31 and a huge width
        "img-huge.bmp": (b"BM" + struct.pack("<IHHI", 70, 0, 0, 54) +
                         struct.pack("<IiiHHIIiiII", 40, 1 << 30, -(1 << 31),
                                     1, 24, 0, 0, 0, 0, 0, 0) + b"\0" * 16),
        "img-text.png": b"this is not an image\n",
    }
    for name, data in bad.items():
        with open(f"{BAD}/{name}", "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()


def safetensors(path, name, arr_bytes, dtype, shape, dims):
    """A one-record tensor file (numpy-free, as in vt-tensor(5))."""
    import json
    meta = {"vt.format": "1"}
    if dims:
        meta["vt.dims." + name] = dims
    hdr = {"__metadata__": meta,
           name: {"dtype": dtype, "shape": shape,
                  "data_offsets": [0, len(arr_bytes)]}}
    h = json.dumps(hdr, separators=(",", ":")).encode()
    h += b" " * ((-(8 + len(h))) % 64)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + arr_bytes)


def tensors():
    # U8 N,C,H,W = 3,3,8,8 and the same without dimension names
    data = bytes((7 * i + 1) % 256 for i in range(3 * 3 * 8 * 8))
    safetensors(f"{GOOD}/batch.safetensors", "images", data, "U8",
                [3, 3, 8, 8], "N,C,H,W")
    safetensors(f"{GOOD}/nodims.safetensors", "images", data, "U8",
                [3, 3, 8, 8], None)


tensors()

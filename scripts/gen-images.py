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


def jpeg_segments(data):
    """(marker, start, end) of each marker segment up to SOS, end after
    its length bytes' count."""
    out, i = [], 2
    while True:
        m, n = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
        out.append((m, i, i + 2 + n))
        if m == 0xDA:
            return out
        i += 2 + n


def jpeg_bad(good):
    """Hostile variants of a baseline 3-component JPEG."""
    seg = {m: (a, b) for m, a, b in jpeg_segments(good)}
    sos, sof = seg[0xDA], seg[0xC0]
    # a DHT of 765 codes (lengths 14-16 of 255 each): stb writes past its
    # tables and crashed in stbi__jpeg_huff_decode (found by fuzz_image)
    counts = bytes(13) + bytes([255, 255, 255])
    body = b"\x10" + counts + bytes((k * 7) & 255 for k in range(765))
    dht = b"\xff\xc4" + struct.pack(">H", len(body) + 2) + body
    overflow = good[:sos[0]] + dht + good[sos[0]:]
    # every scan component asks for DC and AC table 3, never defined
    s = bytearray(good)
    for c in range(s[sos[0] + 4]):
        s[sos[0] + 6 + 2 * c] = 0x33
    undef_huff = bytes(s)
    # the first component's quantisation table is 2, never defined
    s = bytearray(good)
    s[sof[0] + 12] = 2
    undef_quant = bytes(s)
    # one scan for the first component only: the others are never coded
    hdr = good[sos[0]:sos[0] + 11]
    one = b"\xff\xda\x00\x08\x01" + hdr[5:7] + b"\x00\x3f\x00"
    no_scan = good[:sos[0]] + one + good[sos[1]:]
    return {"img-dht-overflow.jpg": overflow,
            "img-dht-undefined.jpg": undef_huff,
            "img-dqt-undefined.jpg": undef_quant,
            "img-no-scan.jpg": no_scan}


def hdr(w, h, rows):
    return (b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n" +
            f"-Y {h} +X {w}\n".encode() + rows)


def hdr_rle_row(w, y):
    """One run-length scanline: R and G as literal bytes, B and E as runs."""
    row = b"\x02\x02" + struct.pack(">H", w)
    row += bytes([w]) + bytes((37 * x + 91 * y) % 256 for x in range(w))
    row += bytes([w]) + bytes((37 * x + 91 * y + 53) % 256 for x in range(w))
    row += bytes([128 + w, 40 + y])
    row += bytes([128 + w, 130])
    return row


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
    rgb.save(f"{GOOD}/c3-7x5-prog.jpg", quality=95, subsampling=0,
             progressive=True)
    Image.frombytes("L", (7, 5), pixels(7, 5, 1)).save(f"{GOOD}/c1-7x5.gif")
    # a 16-bit grey PNG: stb reads it as 8 bits (the high byte, rounded)
    Image.frombytes("I;16", (7, 5), bytes(
        v for p in pixels(7, 5, 1) for v in struct.pack("<H", p * 257))
    ).save(f"{GOOD}/g16-7x5.png")
    # a run-length Radiance HDR, 8 x 2; 16-bit PGM and PPM (high byte first)
    with open(f"{GOOD}/c3-8x2.hdr", "wb") as f:
        f.write(hdr(8, 2, hdr_rle_row(8, 0) + hdr_rle_row(8, 1)))
    with open(f"{GOOD}/g16-7x5.pgm", "wb") as f:
        f.write(b"P5\n# 16 bits\n7 5\n65535\n" + bytes(
            v for p in pixels(7, 5, 1) for v in (p, 255 - p)))
    with open(f"{GOOD}/c3-16-7x5.ppm", "wb") as f:
        f.write(b"P6 7 5 4095\n" + bytes(
            v for p in pixels(7, 5, 3) for v in (p, 255 - p)))
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
        # PPM cut 10 bytes short; a PGM max value over 65535
        "img-pnm-cut.ppm": open(f"{GOOD}/c3-7x5.ppm", "rb").read()[:-10],
        "img-pnm-maxval.pgm": b"P5 2 2 70000\n" + bytes(8),
        # run-length HDR: a run of length 0 (stb loops forever), data cut
        # inside a scanline (the same), flat data cut short (stb hands out
        # memory it never wrote)
        "img-hdr-zero-run.hdr": hdr(8, 2, hdr_rle_row(8, 0)[:4] + b"\0"),
        "img-hdr-cut.hdr": hdr(8, 2, hdr_rle_row(8, 0) + hdr_rle_row(8, 1)[:9]),
        "img-hdr-flat-cut.hdr": hdr(4, 2, bytes(4 * 4 * 2 - 1)),
    }
    bad.update(jpeg_bad(good_jpg))
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

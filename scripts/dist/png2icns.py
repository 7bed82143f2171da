#!/usr/bin/env python3
"""png2icns.py OUT.icns SIZE=FILE.png ...: packs PNG images into an Apple icon file.

An .icns file is the magic "icns", the total length, then one entry per image: a four-letter
type, the entry's length (8 + data) and the PNG data (PNG entries work on macOS 10.7 and later).
Sizes: 16 32 64 128 256 512 1024; each PNG is stored under every type that uses its size.
"""
import struct
import sys

TYPES = {  # pixel size -> icon types (the @2x types take the double-size image)
    16: ["icp4"],
    32: ["icp5", "ic11"],
    64: ["icp6", "ic12"],
    128: ["ic07"],
    256: ["ic08", "ic13"],
    512: ["ic09", "ic14"],
    1024: ["ic10"],
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    entries = b""
    for arg in argv[2:]:
        size, _, path = arg.partition("=")
        with open(path, "rb") as f:
            data = f.read()
        if not data.startswith(PNG_MAGIC):
            sys.exit(f"png2icns: {path} is not a PNG")
        width, height = struct.unpack(">II", data[16:24])
        if (width, height) != (int(size), int(size)):
            sys.exit(f"png2icns: {path} is {width}x{height}, want {size}x{size}")
        for kind in TYPES[int(size)]:
            entries += kind.encode() + struct.pack(">I", 8 + len(data)) + data
    with open(argv[1], "wb") as f:
        f.write(b"icns" + struct.pack(">I", 8 + len(entries)) + entries)


if __name__ == "__main__":
    main(sys.argv)

"""Is an upload's data all there? Cheap structural checks made before decoding pixels.

A decoder fills in whatever a file leaves out: a JPEG cut short and closed with an
end-of-image marker decodes "fine" as a grey picture, so a 633-byte file can claim
8000x5000 pixels and cost 120 MB and seconds of CPU. Each format's own structure gives
a floor on how many bytes that many pixels need, and an end marker that must be present.
"""

from __future__ import annotations

import math
import struct

# Deflate cannot compress better than ~1032:1 (a 258-byte match in two bits).
DEFLATE_MAX_RATIO = 1032
PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
# Start-of-frame markers of Huffman-coded JPEGs (baseline, extended, progressive, lossless);
# the arithmetic-coded ones (0xC9-0xCB, 0xCD-0xCF) are refused: no camera writes them.
HUFFMAN_FRAMES = {0xC0, 0xC1, 0xC2, 0xC3}
ARITHMETIC_FRAMES = {0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
STANDALONE = {0x01, *range(0xD0, 0xD8)}


class Incomplete(Exception):
    """The file's data ends before the image it describes does."""


class Unsupported(Exception):
    """A variant of the format we do not accept."""


def _jpeg_frame(data: bytes) -> tuple[int, int, int, list[tuple[int, int]]]:
    """(frame marker, width, height, [(h, v) sampling per component]) from the headers."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise Incomplete("marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in STANDALONE:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        segment = data[pos + 4 : pos + 2 + length]
        if len(segment) != length - 2:
            raise Incomplete("header segment cut short")
        if marker in ARITHMETIC_FRAMES:
            raise Unsupported("arithmetic-coded JPEG")
        if marker in HUFFMAN_FRAMES:
            height, width, count = struct.unpack(">HHB", segment[1:6])
            sampling = [(b >> 4, b & 0x0F) for b in segment[7 : 6 + 3 * count : 3]]
            return marker, width, height, sampling
        if marker == 0xDA:
            break
        pos += 2 + length
    raise Incomplete("no frame header")


def _jpeg_blocks(width: int, height: int, sampling: list[tuple[int, int]]) -> int:
    """8x8 blocks of all components (without MCU padding: a lower bound)."""
    h_max = max((h for h, _ in sampling), default=1) or 1
    v_max = max((v for _, v in sampling), default=1) or 1
    total = 0
    for h, v in sampling:
        columns = math.ceil(math.ceil(width * h / h_max) / 8)
        rows = math.ceil(math.ceil(height * v / v_max) / 8)
        total += columns * rows
    return total


def check_jpeg(data: bytes) -> None:
    """Every 8x8 block costs at least one bit of Huffman code.

    (A file cut short without its end marker fails in the decoder; this catches one
    closed early, which the decoder fills with grey.)
    """
    _marker, width, height, sampling = _jpeg_frame(data)
    if len(data) * 8 < _jpeg_blocks(width, height, sampling):
        raise Incomplete("too little data for the claimed size")


def check_png(data: bytes) -> None:
    """An IEND chunk, and at least as many bytes as deflate needs for the raw rows."""
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise Incomplete("no IHDR chunk")
    width, height, depth, color_type = struct.unpack(">IIBB", data[16:26])
    bits_per_pixel = depth * PNG_CHANNELS.get(color_type, 1)
    if PNG_END not in data:
        raise Incomplete("no IEND chunk")
    raw = (math.ceil(width * bits_per_pixel / 8) + 1) * height
    if len(data) * DEFLATE_MAX_RATIO < raw:
        raise Incomplete("too little data for the claimed size")


def check_complete(data: bytes, image_format: str) -> None:
    """Incomplete or Unsupported when the data cannot hold the image it claims to be."""
    if image_format == "JPEG":
        check_jpeg(data)
    elif image_format == "PNG":
        check_png(data)
    elif image_format == "WEBP":
        check_webp(data)


def check_webp(data: bytes) -> None:
    """The RIFF container's size field covers exactly the bytes present."""
    if len(data) < 12:
        raise Incomplete("no RIFF header")
    (size,) = struct.unpack("<I", data[4:8])
    if len(data) < 8 + size:
        raise Incomplete("RIFF data cut short")

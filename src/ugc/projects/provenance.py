"""Machine-readable provenance on every result, and the optional visible "AI-generated" mark.

Each PNG gets an iTXt `XML:com.adobe.xmp` chunk and each MP4 a top-level XMP `uuid` box,
both stating the IPTC DigitalSourceType: `compositeSynthetic` for the local engine (real
photos composed with synthetic light, shadows and captions) and
`compositeWithTrainedAlgorithmicMedia` for Google's models. The chunk and the box are spliced
into the bytes as they are, so nothing is re-encoded unless the visible mark is asked for.
"""

from __future__ import annotations

import io
import struct
import zlib
from fractions import Fraction
from typing import Any, Literal

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

SourceKind = Literal["composite", "generative"]
IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
SOURCE_TYPES: dict[SourceKind, str] = {
    "composite": IPTC + "compositeSynthetic",
    "generative": IPTC + "compositeWithTrainedAlgorithmicMedia",
}
MARK_TEXT = "AI-generated"
XMP_KEYWORD = b"XML:com.adobe.xmp"
# The UUID ISO-BMFF files use for an XMP packet (Adobe XMP specification, part 3).
XMP_UUID = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def xmp_packet(kind: SourceKind, engine: str) -> bytes:
    """An XMP packet naming the digital source type and the software that made the media."""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        f"<Iptc4xmpExt:DigitalSourceType>{SOURCE_TYPES[kind]}</Iptc4xmpExt:DigitalSourceType>"
        f"<xmp:CreatorTool>UGC Studio ({engine} engine)</xmp:CreatorTool>"
        '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>'
    ).encode()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def stamp_png(png: bytes, kind: SourceKind, engine: str) -> bytes:
    """The PNG with an XMP iTXt chunk right after its header (uncompressed, as XMP requires)."""
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG")
    header_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4  # signature + IHDR chunk
    text = XMP_KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + xmp_packet(kind, engine)
    return png[:header_end] + _chunk(b"iTXt", text) + png[header_end:]


def stamp_mp4(mp4: bytes, kind: SourceKind, engine: str) -> bytes:
    """The MP4 with an XMP `uuid` box appended at the top level (no offsets move)."""
    payload = XMP_UUID + xmp_packet(kind, engine)
    return mp4 + struct.pack(">I", 8 + len(payload)) + b"uuid" + payload


def read_xmp(data: bytes) -> str | None:
    """The XMP packet in a PNG or MP4 we stamped, or None."""
    start = data.find(b"<x:xmpmeta")
    end = data.find(b"</x:xmpmeta>", start)
    return data[start : end + len(b"</x:xmpmeta>")].decode() if start >= 0 and end > 0 else None


def _badge(width: int) -> NDArray[np.uint8]:
    """An RGBA "AI-generated" badge sized for a picture `width` pixels wide."""
    size = max(12, width // 48)
    font = ImageFont.load_default(size=size)
    left, top, right, bottom = (round(v) for v in font.getbbox(MARK_TEXT))
    pad = size // 2
    badge = Image.new("RGBA", (right - left + 2 * pad, bottom - top + 2 * pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(badge)
    draw.rounded_rectangle((0, 0, *badge.size), radius=pad, fill=(0, 0, 0, 150))
    draw.text((pad - left, pad - top), MARK_TEXT, font=font, fill=(255, 255, 255, 235))
    return np.asarray(badge)


def _apply_badge(rgb: NDArray[np.uint8], badge: NDArray[np.uint8]) -> NDArray[np.uint8]:
    h, w = badge.shape[:2]
    margin = max(8, rgb.shape[1] // 60)
    if h + 2 * margin > rgb.shape[0] or w + 2 * margin > rgb.shape[1]:
        return rgb  # a thumbnail-sized picture: our ads are never this small
    y, x = rgb.shape[0] - h - margin, rgb.shape[1] - w - margin
    alpha = badge[:, :, 3:4].astype(np.float32) / 255
    area = rgb[y : y + h, x : x + w].astype(np.float32)
    out = rgb.copy()
    out[y : y + h, x : x + w] = (area * (1 - alpha) + badge[:, :, :3] * alpha).astype(np.uint8)
    return out


def _marked(frame: Any, badge: NDArray[np.uint8]) -> Any:
    pixels = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
    out = av.VideoFrame.from_ndarray(_apply_badge(pixels, badge), format="rgb24")
    out.pts, out.time_base = frame.pts, frame.time_base
    return out


def mark_png(png: bytes) -> bytes:
    """The image with a small "AI-generated" badge in its bottom-right corner."""
    with Image.open(io.BytesIO(png)) as picture:
        rgb = np.asarray(picture.convert("RGB"))
    out = io.BytesIO()
    Image.fromarray(_apply_badge(rgb, _badge(rgb.shape[1]))).save(out, format="PNG")
    return out.getvalue()


def mark_mp4(mp4: bytes) -> bytes:
    """The video re-encoded (H.264, yuv420p, +faststart) with the badge on every frame."""
    from ugc.engines.google.mp4 import faststart_output

    with av.open(io.BytesIO(mp4), mode="r") as source, faststart_output() as (target, result):
        video_in = source.streams.video[0]
        ctx = video_in.codec_context
        video_out = target.add_stream("libx264", rate=video_in.average_rate or Fraction(24, 1))
        video_out.width, video_out.height, video_out.pix_fmt = ctx.width, ctx.height, "yuv420p"
        video_out.options = {"crf": "20", "preset": "veryfast"}
        audio = {s.index: target.add_stream_from_template(s) for s in source.streams.audio}
        badge = _badge(ctx.width)
        for packet in source.demux(video_in, *source.streams.audio):
            if packet.stream.index in audio:
                if packet.dts is not None:
                    packet.stream = audio[packet.stream.index]
                    target.mux(packet)
                continue
            for frame in packet.decode():
                target.mux(video_out.encode(_marked(frame, badge)))
        target.mux(video_out.encode(None))
    return result[0]

"""MP4 helpers for Omni results: probe, +faststart remux, and scale/crop re-encode (PyAV)."""

from __future__ import annotations

import io
import os
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import numpy as np


class InvalidVideo(ValueError):
    """The bytes are not a playable MP4 with at least one decodable video frame."""


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """What the engine checks about a video before handing it on."""

    width: int
    height: int
    frames: int
    codec: str
    pix_fmt: str
    faststart: bool


def top_level_boxes(data: bytes) -> list[str]:
    """The types of the top-level ISO-BMFF boxes, in file order."""
    boxes: list[str] = []
    offset = 0
    while offset + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1 and offset + 16 <= len(data):
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:
            size = len(data) - offset
        if size < 8:
            break
        boxes.append(kind.decode("latin-1"))
        offset += size
    return boxes


def is_faststart(data: bytes) -> bool:
    """True when the `moov` index comes before the media data, so playback starts at once."""
    boxes = top_level_boxes(data)
    if "moov" not in boxes:
        return False
    return "mdat" not in boxes or boxes.index("moov") < boxes.index("mdat")


def probe(data: bytes) -> VideoInfo:
    """Decode every frame of the first video stream, or raise InvalidVideo."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                raise InvalidVideo("no video stream")
            stream = container.streams.video[0]
            frames = sum(1 for _ in container.decode(stream))
            ctx = stream.codec_context
            size, codec, pix_fmt = (ctx.width, ctx.height), ctx.name, str(ctx.pix_fmt)
    except (av.FFmpegError, OSError, IndexError) as exc:
        raise InvalidVideo(str(exc)) from exc
    if frames == 0:
        raise InvalidVideo("no decodable frames")
    return VideoInfo(size[0], size[1], frames, codec, pix_fmt, is_faststart(data))


@contextmanager
def faststart_output() -> Iterator[tuple[Any, list[bytes]]]:
    """An MP4 output with +faststart; its bytes land in the yielded list once closed.

    FFmpeg moves the index by reopening the output by name, so it must be a real file.
    """
    with tempfile.TemporaryDirectory(prefix="ugc-mp4-") as folder:
        path = os.path.join(folder, "out.mp4")
        result: list[bytes] = []
        with av.open(path, mode="w", format="mp4", options={"movflags": "+faststart"}) as target:
            yield target, result
        with open(path, "rb") as written:
            result.append(written.read())


def remux_faststart(data: bytes) -> bytes:
    """Copy every stream into a new MP4 with the index at the front (no re-encode)."""
    with (
        av.open(io.BytesIO(data), mode="r") as source,
        faststart_output() as (target, result),
    ):
        mapping = {s.index: target.add_stream_from_template(s) for s in _copyable(source)}
        for packet in source.demux(*(s for s in source.streams if s.index in mapping)):
            if packet.dts is None:  # demuxer flush packets carry nothing
                continue
            packet.stream = mapping[packet.stream.index]
            target.mux(packet)
    return result[0]


def _copyable(container: Any) -> list[Any]:
    return [s for s in container.streams if s.type in ("video", "audio")]


def fit_video(data: bytes, width: int, height: int) -> bytes:
    """Scale to cover `width`x`height`, centre-crop, re-encode H.264/yuv420p with +faststart.

    Audio is copied untouched so the voice Omni adds stays in sync.
    """
    with (
        av.open(io.BytesIO(data), mode="r") as source,
        faststart_output() as (target, result),
    ):
        video_in = source.streams.video[0]
        rate = video_in.average_rate or Fraction(24, 1)
        video_out = target.add_stream("libx264", rate=rate)
        video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
        video_out.options = {"crf": "20", "preset": "veryfast"}
        audio = {s.index: target.add_stream_from_template(s) for s in source.streams.audio}
        for packet in source.demux(video_in, *source.streams.audio):
            if packet.stream.index in audio:
                if packet.dts is not None:
                    packet.stream = audio[packet.stream.index]
                    target.mux(packet)
                continue
            for frame in packet.decode():
                target.mux(video_out.encode(_cover_frame(frame, width, height)))
        target.mux(video_out.encode(None))
    return result[0]


def _cover_frame(frame: Any, width: int, height: int) -> Any:
    scale = max(width / frame.width, height / frame.height)
    scaled_w = max(width, round(frame.width * scale))
    scaled_h = max(height, round(frame.height * scale))
    rgb = frame.reformat(width=scaled_w, height=scaled_h, format="rgb24").to_ndarray()
    left, top = (scaled_w - width) // 2, (scaled_h - height) // 2
    cropped = np.ascontiguousarray(rgb[top : top + height, left : left + width])
    out = av.VideoFrame.from_ndarray(cropped, format="rgb24")
    out.pts, out.time_base = frame.pts, frame.time_base
    return out


def normalise(data: bytes, width: int, height: int) -> bytes:
    """A checked H.264/yuv420p +faststart MP4 of exactly `width`x`height` from the service."""
    info = probe(data)
    if (info.width, info.height, info.codec, info.pix_fmt) != (width, height, "h264", "yuv420p"):
        result = fit_video(data, width, height)
        probe(result)  # our own encode must decode too, or the job should not succeed
        return result
    if not info.faststart:
        return remux_faststart(data)
    return data

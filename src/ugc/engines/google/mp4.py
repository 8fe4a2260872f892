"""MP4 helpers for Omni results: probe, +faststart remux, and scale/crop re-encode (PyAV)."""

from __future__ import annotations

import io
import itertools
import os
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import av
import av.filter

from ugc.engines.google.pictures import cover_geometry


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


@contextmanager
def _video_source(data: bytes) -> Iterator[tuple[Any, Any]]:
    """The opened container and its first video stream; FFmpeg's complaints as InvalidVideo."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.video:
                raise InvalidVideo("no video stream")
            yield container, container.streams.video[0]
    except (av.FFmpegError, OSError, IndexError) as exc:
        raise InvalidVideo(str(exc)) from exc


def _form(stream: Any) -> tuple[int, int, str, str]:
    ctx = stream.codec_context
    return ctx.width, ctx.height, ctx.name, str(ctx.pix_fmt)


def probe(data: bytes) -> VideoInfo:
    """Decode every frame of the first video stream, or raise InvalidVideo."""
    with _video_source(data) as (container, stream):
        frames = sum(1 for _ in container.decode(stream))
        width, height, codec, pix_fmt = _form(stream)
    if frames == 0:
        raise InvalidVideo("no decodable frames")
    return VideoInfo(width, height, frames, codec, pix_fmt, is_faststart(data))


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

    Audio is copied untouched so the voice Omni adds stays in sync. Every frame is decoded
    on the way, so a clip that does not decode raises InvalidVideo here as in `probe`.
    """
    frames = 0
    with _video_source(data) as (source, video_in), faststart_output() as (target, result):
        rate = video_in.average_rate or Fraction(24, 1)
        video_out = target.add_stream("libx264", rate=rate)
        video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
        video_out.options = {"crf": "20", "preset": "veryfast"}
        audio = {s.index: target.add_stream_from_template(s) for s in source.streams.audio}
        cover = _cover_graph(video_in, width, height)
        for packet in source.demux(video_in, *source.streams.audio):
            if packet.stream.index in audio:
                if packet.dts is not None:
                    packet.stream = audio[packet.stream.index]
                    target.mux(packet)
                continue
            for frame in packet.decode():
                cover.push(frame)
                target.mux(video_out.encode(cover.pull()))
                frames += 1
        target.mux(video_out.encode(None))
    if frames == 0:
        raise InvalidVideo("no decodable frames")
    return result[0]


def _cover_graph(stream: Any, width: int, height: int) -> Any:
    """FFmpeg filters that scale a frame to cover the size and crop its centre, in YUV.

    Cropping moves plane pointers and a 16:9 or 9:16 clip cut to 1:1 needs no scaling, so
    a frame costs next to nothing before the encoder; the RGB round trip this replaces
    cost more than decoding the clip.
    """
    ctx = stream.codec_context
    scaled, (left, top) = cover_geometry((ctx.width, ctx.height), (width, height))
    graph = av.filter.Graph()
    chain = [graph.add_buffer(template=stream)]
    if scaled != (ctx.width, ctx.height):
        chain.append(graph.add("scale", f"{scaled[0]}:{scaled[1]}:flags=bicubic"))
    chain += [
        graph.add("crop", f"{width}:{height}:{left}:{top}"),
        graph.add("format", "yuv420p"),
        graph.add("buffersink"),
    ]
    for upstream, downstream in itertools.pairwise(chain):
        upstream.link_to(downstream)
    graph.configure()
    return graph


def normalise(data: bytes, width: int, height: int) -> bytes:
    """A checked H.264/yuv420p +faststart MP4 of exactly `width`x`height` from the service."""
    with _video_source(data) as (_, stream):
        form = _form(stream)
    if form != (width, height, "h264", "yuv420p"):
        return fit_video(data, width, height)
    info = probe(data)
    if not info.faststart:
        return remux_faststart(data)
    return data

"""Real media bytes for the fakes: small H.264/AAC MP4s and PNG photos, made with PyAV/Pillow."""

from __future__ import annotations

import tempfile
from fractions import Fraction
from functools import lru_cache

import av
import numpy as np
from PIL import Image, ImageDraw

from tests.support import encode


@lru_cache(maxsize=16)
def make_mp4(
    width: int,
    height: int,
    seconds: float = 2.0,
    *,
    fps: int = 24,
    audio: bool = True,
    faststart: bool = False,
) -> bytes:
    """An H.264/yuv420p MP4 (plus a 440 Hz AAC track) with a moving bar, like an Omni answer."""
    options = {"movflags": "+faststart"} if faststart else {}
    # A real file: FFmpeg reopens the output by name to move the index for +faststart.
    with tempfile.NamedTemporaryFile(suffix=".mp4") as file:
        _encode(file.name, options, width, height, seconds, fps, audio)
        return file.read()


def _encode(
    path: str,
    options: dict[str, str],
    width: int,
    height: int,
    seconds: float,
    fps: int,
    audio: bool,
) -> None:
    with av.open(path, mode="w", format="mp4", options=options) as out:
        video = out.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": "ultrafast"}
        sound = out.add_stream("aac", rate=48000) if audio else None
        frames = int(seconds * fps)
        for index in range(frames):
            out.mux(video.encode(_frame(width, height, index, frames)))
        out.mux(video.encode(None))
        if sound is not None:
            write_tone(out, sound, seconds)


def _frame(width: int, height: int, index: int, total: int) -> av.VideoFrame:
    pixels = np.zeros((height, width, 3), dtype=np.uint8)
    pixels[:, :] = (40, 90, 160)
    bar = int(width * index / max(total, 1))
    pixels[:, bar : bar + max(4, width // 20)] = (240, 200, 40)
    frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
    frame.pts = index
    return frame


def write_tone(out: av.container.OutputContainer, stream: av.AudioStream, seconds: float) -> None:
    rate, chunk = 48000, 1024
    samples = np.sin(2 * np.pi * 440 * np.arange(int(rate * seconds)) / rate).astype(np.float32)
    for start in range(0, len(samples), chunk):
        piece = samples[start : start + chunk]
        frame = av.AudioFrame.from_ndarray(piece.reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


@lru_cache(maxsize=32)
def make_png(width: int, height: int, colour: tuple[int, int, int] = (200, 120, 60)) -> bytes:
    """A PNG with a recognisable shape, so crops and scales can be checked."""
    picture = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((width // 4, height // 4, 3 * width // 4, 3 * height // 4), fill=(250, 250, 250))
    return encode(picture)


def make_jpeg(width: int, height: int, colour: tuple[int, int, int] = (60, 120, 200)) -> bytes:
    """A JPEG photo stand-in (the person or product upload)."""
    return encode(Image.new("RGB", (width, height), colour), "JPEG")

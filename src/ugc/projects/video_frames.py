"""The frames a video's product check looks at, decoded no further than they need.

Eight frames spread over a clip need not cost decoding all of it. One pass over the
container's packets (no decoding) gives every frame's time and the keyframes; decoding then
starts at the last keyframe before each sampled frame, and on the way skips the frames no
other frame refers to (most B-frames) unless they are sampled. One decoding thread: a
worker runs short of CPU, not of wall time, and more threads only add hand-offs.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

VIDEO_SAMPLES = 8


def sample_frames(
    mp4: bytes, count: int = VIDEO_SAMPLES, side: int | None = None
) -> list[tuple[float, NDArray[np.uint8]]]:
    """`count` evenly spread frames of a video (seconds, RGB), the last one always among them;
    no larger than `side` pixels on their long side when given (shrunk as they are converted)."""
    with av.open(io.BytesIO(mp4), mode="r") as container:
        stream = container.streams.video[0]
        packets = [p for p in container.demux(stream) if p.size > 0 and p.pts is not None]
        if not packets:
            return []
        shown = sorted(int(p.pts or 0) for p in packets)  # decoding is not display order
        total = len(shown)
        wanted = {shown[round(i * (total - 1) / max(1, count - 1))] for i in range(count)}
        codec = stream.codec_context
        codec.thread_count = 1
        sampled: dict[int, tuple[float, NDArray[np.uint8]]] = {}
        time_base = stream.time_base or Fraction(1)
        size = _size(codec.width, codec.height, side)
        for index in _decoding_plan(packets, wanted):
            if index < 0:  # a jump ahead to a keyframe: drain the decoder, then start afresh
                codec.skip_frame = "DEFAULT"
                _keep(codec.decode(None), wanted, sampled, time_base, size)
                codec.flush_buffers()
                continue
            packet = packets[index]
            codec.skip_frame = "DEFAULT" if packet.pts in wanted else "NONREF"
            _keep(codec.decode(packet), wanted, sampled, time_base, size)
        codec.skip_frame = "DEFAULT"
        _keep(codec.decode(None), wanted, sampled, time_base, size)
    return [sampled[pts] for pts in sorted(sampled)]


def _decoding_plan(packets: list[Any], wanted: set[int]) -> list[int]:
    """Packet indexes to decode in turn; -1 marks a jump (the packets between are skipped).

    A sampled frame needs the packets from the last keyframe before it (in decoding order);
    frames shown after it come out a few packets later, so decoding runs on to the next
    sampled frame unless a keyframe lies between them.
    """
    plan: list[int] = []
    position = 0
    keyframe = 0
    for index, packet in enumerate(packets):
        if packet.is_keyframe:
            keyframe = index
        if packet.pts not in wanted:
            continue
        if keyframe > position:
            plan.append(-1)
            position = keyframe
        plan.extend(range(position, index + 1))
        position = index + 1
    plan.extend(range(position, len(packets)))
    return plan


def _size(width: int, height: int, side: int | None) -> tuple[int, int] | None:
    scale = 1.0 if side is None or not width or not height else side / max(width, height)
    if scale >= 1.0:
        return None
    return max(1, round(width * scale)), max(1, round(height * scale))


def _keep(
    frames: Any,
    wanted: set[int],
    sampled: dict[int, tuple[float, NDArray[np.uint8]]],
    time_base: Fraction,
    size: tuple[int, int] | None,
) -> None:
    for frame in frames:
        if frame.pts in wanted and frame.pts not in sampled:
            if size is not None:
                frame = frame.reformat(width=size[0], height=size[1], interpolation="AREA")
            pixels = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
            sampled[frame.pts] = (float(frame.pts * time_base), pixels)

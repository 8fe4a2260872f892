"""The local video engine: codec, size, length, motion, no black frames, bounded memory."""

from __future__ import annotations

import asyncio
import functools
import io
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from ugc.config import Settings
from ugc.engines.base import VIDEO_SIZES, GeneratedImage, VideoRequest
from ugc.engines.local.video.engine import LocalVideoEngine


def _animate(
    image: GeneratedImage, aspect: str, with_scene: bool, progress: list[tuple[str, float]]
) -> bytes:
    request = VideoRequest(
        image=image.png,
        product_name="Glow Serum",
        product_description="Vitamin C serum for every day.",
        prompt="",
        aspect_ratio=aspect,  # type: ignore[arg-type]
        scene=image.scene if with_scene else None,
    )
    engine = LocalVideoEngine(Settings())
    clip = asyncio.run(engine.animate(request, lambda s, f: progress.append((s, f))))
    return clip.mp4


@functools.lru_cache(maxsize=2)
def _lumas(mp4: bytes) -> tuple[dict[str, Any], list[np.ndarray]]:
    # Cached: several tests judge the same clip, and decoding it is most of their time.
    with av.open(io.BytesIO(mp4)) as container:
        stream = container.streams.video[0]
        info = {
            "codec": stream.codec_context.name,
            "pix_fmt": stream.codec_context.pix_fmt,
            "width": stream.width,
            "height": stream.height,
            "fps": float(stream.average_rate or 0),
            "duration": float(container.duration or 0) / 1e6,
        }
        # Luma at quarter size is plenty to judge motion and darkness, and cheap to keep.
        frames = [
            frame.to_ndarray(format="gray")[::4, ::4].astype(np.int16)
            for frame in container.decode(stream)
        ]
    return info, frames


@pytest.fixture(scope="module")
def portrait(
    kit: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[bytes, list[tuple[str, float]]]:
    """A 9:16 video from the local image engine's layers (parallax path)."""

    def render() -> tuple[bytes, list[tuple[str, float]]]:
        progress: list[tuple[str, float]] = []
        image = kit.compose("astronaut", "serum", "9:16")
        return _animate(image, "9:16", True, progress), progress

    return kit.shared_once(tmp_path_factory, "video-portrait", render)


@pytest.fixture(scope="module")
def flat_square(kit: Any, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 1:1 video from a flat image with no layers (another engine's output)."""

    def render() -> bytes:
        image = kit.compose("astronaut", "coffee", "1:1")
        return _animate(image, "1:1", False, [])

    return kit.shared_once(tmp_path_factory, "video-flat-square", render)


@pytest.mark.parametrize("which", ["portrait", "flat_square"])
def test_plays_everywhere(which: str, request: pytest.FixtureRequest) -> None:
    value = request.getfixturevalue(which)
    mp4 = value[0] if isinstance(value, tuple) else value
    aspect = "9:16" if which == "portrait" else "1:1"
    info, frames = _lumas(mp4)
    assert info["codec"] == "h264" and info["pix_fmt"] == "yuv420p"
    assert (info["width"], info["height"]) == VIDEO_SIZES[aspect]  # type: ignore[index]
    assert info["fps"] == 30
    assert 6.0 <= len(frames) / 30 <= 8.0 and 6.0 <= info["duration"] <= 8.1
    # +faststart: the index (moov) comes before the media data, so browsers start at once.
    assert mp4.find(b"moov") < mp4.find(b"mdat")


@pytest.mark.parametrize("which", ["portrait", "flat_square"])
def test_moves_without_black_frames_or_jumps(which: str, request: pytest.FixtureRequest) -> None:
    value = request.getfixturevalue(which)
    _, frames = _lumas(value[0] if isinstance(value, tuple) else value)
    assert min(float(f.mean()) for f in frames) > 40, "a frame is (nearly) black"
    steps = [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(frames)]
    # A cut or jump is a spike: one step far bigger than the steps either side of it.
    for i in range(1, len(steps) - 1):
        assert steps[i] <= 2.5 * max(steps[i - 1], steps[i + 1]) + 2.0, f"jump at frame {i + 1}"
    # Every second of the video has visible motion.
    for second in range(len(frames) // 30):
        start, end = frames[second * 30], frames[second * 30 + 29]
        assert float(np.abs(end - start).mean()) > 0.4, f"frozen around {second} s"
    assert float(np.abs(frames[0] - frames[len(frames) // 2]).mean()) > 5


def test_progress_is_reported_frame_by_frame(
    portrait: tuple[bytes, list[tuple[str, float]]],
) -> None:
    _, progress = portrait
    fractions = [fraction for _, fraction in progress]
    assert len(fractions) >= 180 and fractions == sorted(fractions) and fractions[-1] == 1.0


_RSS_SCRIPT = """
import asyncio, json, pathlib, sys
from ugc.config import Settings
from ugc.engines.base import VideoRequest
from ugc.engines.local.video.engine import LocalVideoEngine
folder = pathlib.Path(sys.argv[1])
req = VideoRequest(image=(folder / "image.png").read_bytes(), product_name="Glow",
                   product_description="", prompt="", aspect_ratio="16:9",
                   scene=(folder / "scene.zip").read_bytes())
clip = asyncio.run(LocalVideoEngine(Settings()).animate(req, lambda s, f: None))
# VmHWM is this process's own peak; ru_maxrss would include the parent's (it survives exec).
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"rss_mb": int(peak.split()[1]) / 1024, "bytes": len(clip.mp4)}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc")
def test_memory_stays_bounded_for_an_8_second_720p_video(kit: Any, tmp_path: Path) -> None:
    # A fresh process that only renders, so its peak is the video's and nothing else's.
    image = kit.compose("landscape", "serum", "16:9")
    (tmp_path / "image.png").write_bytes(image.png)
    (tmp_path / "scene.zip").write_bytes(image.scene)
    done = subprocess.run(
        [sys.executable, "-c", _RSS_SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["bytes"] > 100_000
    assert result["rss_mb"] < 400

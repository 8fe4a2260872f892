"""Local engine benchmark: image compose per aspect ratio, video render and its encode floor.

Run as `python bench/bench_local_engine.py [runs]` (default 5). Every number is the median
of `runs` timed runs after one warm-up. The encode floor is libx264 with the engine's own
settings encoding the very frames the render produced (held in memory beforehand), so
render / floor is what compositing adds on top of unavoidable encoding. Render and floor
runs alternate, so a change in the machine's load during the benchmark hits both alike.
"""

from __future__ import annotations

import asyncio
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

from ugc.config import Settings
from ugc.engines.base import ASPECT_RATIOS, VIDEO_SIZES, GeneratedImage, ImageRequest, VideoRequest
from ugc.engines.local.image.engine import LocalImageEngine
from ugc.engines.local.video.encode import H264Writer
from ugc.engines.local.video.engine import LocalVideoEngine, _scene_for, layers_from_scene
from ugc.engines.local.video.motion import FPS, FRAME_COUNT
from ugc.engines.local.video.render import FrameRenderer
from ugc.engines.local.video.yuv import FrameBuffer


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def _timed(*actions: Callable[[], object], runs: int) -> list[tuple[float, float]]:
    """Median wall and process CPU time of each action over `runs` rounds, after a warm-up.

    Each round runs every action once, in turn.
    """
    for action in actions:
        action()
    walls: list[list[float]] = [[] for _ in actions]
    cpus: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for index, action in enumerate(actions):
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            walls[index].append(time.perf_counter() - wall)
            cpus[index].append(time.process_time() - cpu)
    return [
        (statistics.median(wall), statistics.median(cpu))
        for wall, cpu in zip(walls, cpus, strict=True)
    ]


def _image_request(aspect: str) -> ImageRequest:
    return ImageRequest(
        person=_png(skimage.data.astronaut()),
        product=_png(skimage.data.coffee()),
        product_name="Morning Roast",
        product_description="Single-origin espresso.",
        prompt="",
        aspect_ratio=aspect,
    )  # type: ignore[arg-type]


def _video_request(image: GeneratedImage) -> VideoRequest:
    return VideoRequest(
        image=image.png,
        scene=image.scene,
        product_name="Morning Roast",
        product_description="Single-origin espresso.",
        prompt="",
        aspect_ratio="9:16",
    )


def _frames(request: VideoRequest) -> list[np.ndarray]:
    scene = _scene_for(request)
    assert scene is not None
    renderer = FrameRenderer(layers_from_scene(scene, request), VIDEO_SIZES["9:16"])
    frame = FrameBuffer(*VIDEO_SIZES["9:16"])
    frames = []
    for index in range(FRAME_COUNT):
        renderer.render(index, frame)
        frames.append(frame.data.copy())
    return frames


def _encode_only(frames: list[np.ndarray]) -> None:
    with (
        tempfile.TemporaryDirectory() as folder,
        H264Writer(Path(folder) / "floor.mp4", *VIDEO_SIZES["9:16"], FPS) as writer,
    ):
        for data in frames:
            writer.write(data)


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    settings = Settings()
    image_engine, video_engine = LocalImageEngine(settings), LocalVideoEngine(settings)
    rows = []
    for aspect in ASPECT_RATIOS:
        request = _image_request(aspect)
        [(wall, cpu)] = _timed(
            lambda r=request: asyncio.run(image_engine.compose(r, _quiet)), runs=runs
        )
        rows.append((f"image compose {aspect}", wall, cpu, "< 0.5 s"))
    image = asyncio.run(image_engine.compose(_image_request("9:16"), _quiet))
    video_request = _video_request(image)
    frames = _frames(video_request)
    (render_wall, render_cpu), (floor_wall, floor_cpu) = _timed(
        lambda: asyncio.run(video_engine.animate(video_request, _quiet)),
        lambda: _encode_only(frames),
        runs=runs,
    )
    width, height = VIDEO_SIZES["9:16"]
    label = f"{FRAME_COUNT / FPS:.0f} s {width}x{height} @ {FPS} fps"
    rows.append((f"video render, {label}", render_wall, render_cpu, "<= 1.5x floor"))
    rows.append((f"encode floor (libx264 veryfast), {label}", floor_wall, floor_cpu, ""))
    print(f"Local engine, median of {runs} runs (wall / process CPU)\n")
    print("| what | wall s | cpu s | target |")
    print("|---|---:|---:|---|")
    for name, wall, cpu, target in rows:
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {target} |")
    print(
        f"| video render / encode floor | {render_wall / floor_wall:.2f}x "
        f"| {render_cpu / floor_cpu:.2f}x | <= 1.5x |"
    )


def _quiet(stage: str, fraction: float) -> None:
    del stage, fraction


if __name__ == "__main__":
    main()

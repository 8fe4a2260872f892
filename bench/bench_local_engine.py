"""Local engine benchmark: image compose per aspect ratio, video render and its encode floor.

Image compose includes the vision stage (person mask, faces, hands), run once per image.
The peak resident memory of one image and video job is measured in a fresh process.

Run as `python bench/bench_local_engine.py [runs] [--video] [--shot foreground|hand]` (default
5; --video: only the video render and its floor, for comparing renderer changes quickly). The
shot picks the photos: "foreground" (the default) the astronaut and a coffee cup, composed with
the product in front and the person depth-blurred; "hand" OpenCV's messi5.jpg (a whole body,
both hands in view) and the demo's serum, composed with the product held in a visible hand and
the person sharp, so warped at full size every frame. Every number is the median of `runs`
timed runs after one warm-up. The encode floor is libx264 with the engine's own settings
encoding the very frames the render produced (held in memory beforehand), so render / floor
is what compositing adds on top of unavoidable encoding. Render and floor runs alternate, so
a change in the machine's load during the benchmark hits both alike.
"""

from __future__ import annotations

import asyncio
import io
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import skimage.data
from PIL import Image

from ugc.config import Settings
from ugc.engines.base import (
    ASPECT_RATIOS,
    IMAGE_SIZES,
    VIDEO_SIZES,
    GeneratedImage,
    ImageRequest,
    VideoRequest,
)
from ugc.engines.local.demo import OPENCV_DATA, serum_packshot
from ugc.engines.local.image.engine import LocalImageEngine
from ugc.engines.local.image.scene import scene_composition
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


SHOTS = ("foreground", "hand")


def _photos(shot: str) -> tuple[bytes, bytes]:
    """The shot's person and product photos, as a worker receives them: PNG bytes."""
    if shot == "foreground":
        return _png(skimage.data.astronaut()), _png(skimage.data.coffee())
    bgr = cv2.imread(str(OPENCV_DATA / "messi5.jpg"))
    if bgr is None:
        sys.exit(f"the hand shot needs {OPENCV_DATA / 'messi5.jpg'} (Debian's opencv-doc)")
    return _png(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)), _png(serum_packshot())


def _image_request(aspect: str, photos: tuple[bytes, bytes]) -> ImageRequest:
    person, product = photos
    return ImageRequest(
        person=person,
        product=product,
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


def _own_peak_rss_mb() -> float:
    """This process's own peak resident memory, in MB.

    Not ru_maxrss on Linux: a process started by exec inherits its parent's peak there (the
    kernel folds the old address space's high-water mark into it), so a child of this
    benchmark, which holds every frame, would report the parent's peak. VmHWM is the
    high-water mark of the process's own address space only.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _check_shot(image: GeneratedImage, shot: str) -> None:
    # The engine picks the composition from the photos: a change in the grip search could
    # turn the hand shot into another one, and the numbers would silently be of that.
    composition = (scene_composition(image.scene) or {}).get("composition")
    if composition != shot:
        sys.exit(f"the {shot} shot's photos were composed as {composition!r}")


def _peak_rss_child(folder: Path) -> None:
    # The photos arrive as PNG files, as a worker reads them from storage: making them
    # here would load scikit-image's sample data, which a worker never does.
    photos = ((folder / "person.png").read_bytes(), (folder / "product.png").read_bytes())
    settings = Settings()
    image = asyncio.run(LocalImageEngine(settings).compose(_image_request("9:16", photos), _quiet))
    asyncio.run(LocalVideoEngine(settings).animate(_video_request(image), _quiet))
    print(_own_peak_rss_mb())


def _peak_rss_mb(photos: tuple[bytes, bytes]) -> float:
    """Peak RSS of a fresh process that composes one image and renders its video."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        person, product = photos
        (folder / "person.png").write_bytes(person)
        (folder / "product.png").write_bytes(product)
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--rss-child", str(folder)],
            capture_output=True,
            text=True,
            check=True,
            timeout=900,
        )
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    if "--rss-child" in sys.argv:
        _peak_rss_child(Path(sys.argv[-1]))
        return
    runs = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 5
    video_only = "--video" in sys.argv
    shot = sys.argv[sys.argv.index("--shot") + 1] if "--shot" in sys.argv[:-1] else SHOTS[0]
    if shot not in SHOTS:
        sys.exit(f"--shot: one of {', '.join(SHOTS)}")
    photos = _photos(shot)
    settings = Settings()
    image_engine, video_engine = LocalImageEngine(settings), LocalVideoEngine(settings)
    rows = []
    for aspect in () if video_only else ASPECT_RATIOS:
        request = _image_request(aspect, photos)
        [(wall, cpu)] = _timed(
            lambda r=request: asyncio.run(image_engine.compose(r, _quiet)), runs=runs
        )
        width, height = IMAGE_SIZES[aspect]  # type: ignore[index]
        rows.append(
            (f"image compose incl. vision {aspect} ({width}x{height})", wall, cpu, "< 0.5 s")
        )
    image = asyncio.run(image_engine.compose(_image_request("9:16", photos), _quiet))
    _check_shot(image, shot)
    video_request = _video_request(image)
    frames = _frames(video_request)
    (render_wall, render_cpu), (floor_wall, floor_cpu) = _timed(
        lambda: asyncio.run(video_engine.animate(video_request, _quiet)),
        lambda: _encode_only(frames),
        runs=runs,
    )
    width, height = VIDEO_SIZES["9:16"]
    label = f"{FRAME_COUNT / FPS:.0f} s {width}x{height} @ {FPS} fps"
    rows.append((f"video render, {shot} shot, {label}", render_wall, render_cpu, "<= 1.5x floor"))
    rows.append((f"encode floor (libx264 veryfast), {label}", floor_wall, floor_cpu, ""))
    print(f"Local engine, {shot} shot, median of {runs} runs (wall / process CPU)\n")
    print("| what | wall s | cpu s | target |")
    print("|---|---:|---:|---|")
    for name, wall, cpu, target in rows:
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {target} |")
    print(
        f"| video render / encode floor | {render_wall / floor_wall:.2f}x "
        f"| {render_cpu / floor_cpu:.2f}x | <= 1.5x |"
    )
    if video_only:
        return
    peak = _peak_rss_mb(photos)
    print(f"| peak RSS, one image + video job in a fresh process | {peak:.0f} MB | | < 400 MB |")


def _quiet(stage: str, fraction: float) -> None:
    del stage, fraction


if __name__ == "__main__":
    main()

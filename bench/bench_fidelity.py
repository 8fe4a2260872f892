"""Product-fidelity check: time per ad image (1080x1920) and per 8-second 720p video.

Inputs are the local engine's own ad of scikit-image's espresso cup on the astronaut photo,
and that ad panned over for 8 s at 24 fps (192 frames, 8 of them sampled); and the same for
a plain matte tube, which has too little texture for feature matching and is found by its
outline instead (the slower path). Median of runs.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from skimage import data as skdata

from tests.fakes.scenes import clip_from_image
from tests.support import encode, flat_tube_photo
from ugc.config import Settings
from ugc.engines.base import ImageRequest
from ugc.engines.local.image import LocalImageEngine
from ugc.projects import fidelity, video_fidelity

RUNS = 5


def _timed(run: object, runs: int = RUNS) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (less sensitive to a busy host)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()  # type: ignore[operator]
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def _ad(product: bytes, name: str) -> bytes:
    request = ImageRequest(
        person=encode(skdata.astronaut()),
        product=product,
        product_name=name,
        product_description="",
        prompt="",
        aspect_ratio="9:16",
    )
    return asyncio.run(LocalImageEngine(Settings()).compose(request, lambda s, f: None)).png


def main() -> None:
    """Print one row per check."""
    print("| check | input | wall (median) | CPU (median) | verdict |")
    print("|---|---|---|---|---|")
    row = "| fidelity, {} | {} | {:.0f} ms | {:.0f} ms | {} |"
    for label, product in (("", encode(skdata.coffee())), (" flat product", flat_tube_photo())):
        image = _ad(product, "Morning Roast")
        clip = clip_from_image(image, (720, 1280), seconds=8.0, fps=24)
        verdict = fidelity.check_image(product, image).verdict
        image_s = _timed(lambda p=product, i=image: fidelity.check_image(p, i))
        video = video_fidelity.check_video(product, clip).verdict
        video_s = _timed(lambda p=product, c=clip: video_fidelity.check_video(p, c), runs=3)
        size = "1080x1920 PNG"
        print(row.format("image" + label, size, image_s[0] * 1000, image_s[1] * 1000, verdict))
        size = "8 s 720x1280, 8 frames"
        print(row.format("video" + label, size, video_s[0] * 1000, video_s[1] * 1000, video))


if __name__ == "__main__":
    main()

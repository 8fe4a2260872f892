"""Sample ads from photos that ship with scikit-image: `python -m ugc.engines.local.demo`.

Writes an image (and a video) per aspect ratio to ./var/demo, or to the folder given as the
first argument, so anyone can see what the offline engine makes without any setup.
"""

from __future__ import annotations

import asyncio
import io
import sys
import time
from pathlib import Path

import numpy as np
import skimage.data
from numpy.typing import NDArray
from PIL import Image

from ugc.config import Settings
from ugc.engines.base import AspectRatio, ImageRequest, VideoRequest
from ugc.engines.local.image.engine import LocalImageEngine
from ugc.engines.local.video.engine import LocalVideoEngine

# (file stem, aspect ratio, product photo, name, description, prompt)
SAMPLES: tuple[tuple[str, AspectRatio, str, str, str, str], ...] = (
    (
        "espresso-9x16",
        "9:16",
        "coffee",
        "Morning Roast",
        "Single-origin espresso, roasted every week.",
        "",
    ),
    (
        "espresso-16x9",
        "16:9",
        "coffee",
        "Morning Roast",
        "Single-origin espresso, roasted every week.",
        "my 6am launch fuel",
    ),
    ("sticker-1x1", "1:1", "logo", "Snake Sticker", "Die-cut vinyl sticker. Waterproof.", ""),
)


def _png(pixels: NDArray[np.uint8]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG")
    return out.getvalue()


def _sample(name: str) -> bytes:
    loader = getattr(skimage.data, name)  # coffee, logo, astronaut: photos the wheel ships
    return _png(np.asarray(loader(), dtype=np.uint8))


async def write_samples(folder: Path) -> list[Path]:
    """Compose and animate every sample into folder; returns the files written."""
    settings = Settings()
    images, videos = LocalImageEngine(settings), LocalVideoEngine(settings)
    person = _sample("astronaut")
    written = []
    for stem, aspect, product, name, description, prompt in SAMPLES:
        started = time.perf_counter()
        image = await images.compose(
            ImageRequest(
                person=person,
                product=_sample(product),
                product_name=name,
                product_description=description,
                prompt=prompt,
                aspect_ratio=aspect,
            ),
            lambda stage, fraction: None,
        )
        (folder / f"{stem}.png").write_bytes(image.png)
        clip = await videos.animate(
            VideoRequest(
                image=image.png,
                scene=image.scene,
                product_name=name,
                product_description=description,
                prompt=prompt,
                aspect_ratio=aspect,
            ),
            lambda stage, fraction: None,
        )
        (folder / f"{stem}.mp4").write_bytes(clip.mp4)
        written += [folder / f"{stem}.png", folder / f"{stem}.mp4"]
        print(f"{stem}: image + video in {time.perf_counter() - started:.1f} s")
    return written


def main() -> None:
    """Entry point: write the samples and list them."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var/demo")
    folder.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(write_samples(folder)):
        print(path)


if __name__ == "__main__":
    main()

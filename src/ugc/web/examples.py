"""The landing page's before/after example, composed once by the local engine and cached."""

from __future__ import annotations

import asyncio
import io
import os
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from skimage import data as skdata

from ugc.config import Settings
from ugc.engines.base import ImageRequest
from ugc.engines.registry import build_image_engine

ExampleName = Literal["person", "product", "ad"]
EXAMPLE_NAMES: tuple[ExampleName, ...] = ("person", "product", "ad")
# Sizes on the landing page (CSS pixels x2 for sharp screens).
THUMB_SIDE = 360
AD_SIZE = (540, 960)


def _encode(image: Image.Image, fmt: str = "WEBP", **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _person() -> Image.Image:
    """scikit-image's astronaut portrait."""
    pixels: NDArray[np.uint8] = skdata.astronaut()  # type: ignore[no-untyped-call]
    return Image.fromarray(pixels)


def _product() -> Image.Image:
    """A drink can drawn on a white studio sweep, shaded so it reads as an object."""
    image = Image.new("RGB", (600, 800), (246, 246, 244))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((200, 150, 400, 680), radius=36, fill=(236, 72, 60))
    draw.rounded_rectangle((212, 120, 388, 170), radius=18, fill=(200, 200, 204))
    draw.rectangle((200, 330, 400, 470), fill=(252, 196, 52))
    draw.text((236, 372), "FIZZ", fill=(40, 24, 20), font_size=60)
    pixels: NDArray[np.float32] = np.asarray(image, dtype=np.float32)
    shade = np.clip(1.0 - np.abs(np.linspace(-1, 1, 600)) ** 3 * 0.25, 0, 1)
    mask = np.zeros((800, 600), dtype=bool)
    mask[120:680, 200:400] = True
    pixels[mask] *= shade[None, :, None].repeat(800, 0)[mask]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _thumb(image: Image.Image) -> bytes:
    image = image.copy()
    image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return _encode(image, quality=82)


async def _compose(settings: Settings, person: Image.Image, product: Image.Image) -> bytes:
    engine = build_image_engine(settings.model_copy(update={"image_engine": "local"}))
    result = await engine.compose(
        ImageRequest(
            person=_encode(person, "JPEG", quality=92),
            product=_encode(product, "PNG"),
            product_name="Fizz",
            product_description="A sparkling drink",
            prompt="Bright, friendly, just tried it",
            aspect_ratio="9:16",
        ),
        lambda stage, fraction: None,
    )
    ad = Image.open(io.BytesIO(result.png)).convert("RGB")
    ad.thumbnail(AD_SIZE, Image.Resampling.LANCZOS)
    return _encode(ad, quality=84)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(data)
    partial.replace(path)


async def example_path(settings: Settings, name: ExampleName, lock: asyncio.Lock) -> Path:
    """The cached example file, made on first request (inputs and the ad, once)."""
    folder = settings.data_dir / "examples"
    path = folder / f"{name}.webp"
    if path.is_file():
        return path
    async with lock:
        if not path.is_file():
            person, product = _person(), _product()
            ad = await _compose(settings, person, product)
            thumbs = await asyncio.gather(
                asyncio.to_thread(_thumb, person), asyncio.to_thread(_thumb, product)
            )
            _write(folder / "person.webp", thumbs[0])
            _write(folder / "product.webp", thumbs[1])
            _write(folder / "ad.webp", ad)
    return path

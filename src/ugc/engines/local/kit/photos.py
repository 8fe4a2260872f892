"""Decoding uploaded photos into arrays, with clear rejections for unusable files."""

from __future__ import annotations

import io

import numpy as np
from numpy.typing import NDArray
from PIL import Image, UnidentifiedImageError

from ugc.engines.base import EngineRejected

# Photos are scaled down to this on decode: the largest output is 1920 px, and
# bigger inputs only cost time (and memory) without adding visible detail.
MAX_SIDE = 2048
MIN_SIDE = 48
# Beyond this many pixels Pillow's decoder is refused outright (decompression bombs).
MAX_PIXELS = 64_000_000

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _open(data: bytes, label: str, *, draft: bool = True) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        if draft:
            # JPEG draft mode decodes straight at a reduced scale: much faster for big photos.
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise EngineRejected(f"The {label} photo could not be read as an image.") from exc
    if min(image.size) < MIN_SIDE:
        raise EngineRejected(
            f"The {label} photo is too small ({image.width}x{image.height}); "
            f"use one at least {MIN_SIDE} pixels on each side."
        )
    return image


def _bounded(image: Image.Image) -> Image.Image:
    if max(image.size) > MAX_SIDE:
        image = image.copy()
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    return image


def decode_rgb(data: bytes, label: str) -> NDArray[np.uint8]:
    """Decode a photo to RGB (transparent areas over white), at most MAX_SIDE pixels."""
    image = _bounded(_open(data, label))
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return np.asarray(flat, dtype=np.uint8).copy()
    return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()


def decode_rgba(data: bytes, label: str) -> NDArray[np.uint8]:
    """Decode a photo to RGBA, keeping its alpha channel when it has one."""
    image = _bounded(_open(data, label))
    return np.asarray(image.convert("RGBA"), dtype=np.uint8).copy()

"""The fallback when a product cannot be cut out cleanly: a framed photo card."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from ugc.engines.local.kit.arrays import u8

# A card never needs more pixels than it can occupy in the largest output frame.
_MAX_SIDE = 900
# Very wide or tall product photos are centre-cropped into this aspect range so the
# card reads as a photo held up to the camera, not a strip.
_MIN_ASPECT, _MAX_ASPECT = 0.75, 1.33
_SUPERSAMPLE = 3


def _crop_aspect(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    height, width = rgb.shape[:2]
    aspect = width / height
    if aspect > _MAX_ASPECT:
        new_w = round(height * _MAX_ASPECT)
        x0 = (width - new_w) // 2
        return rgb[:, x0 : x0 + new_w]
    if aspect < _MIN_ASPECT:
        new_h = round(width / _MIN_ASPECT)
        y0 = (height - new_h) // 2
        return rgb[y0 : y0 + new_h]
    return rgb


def rounded_mask(width: int, height: int, radius: float) -> NDArray[np.uint8]:
    """An anti-aliased rounded-rectangle mask (0 outside, 255 inside)."""
    big = Image.new("L", (width * _SUPERSAMPLE, height * _SUPERSAMPLE), 0)
    ImageDraw.Draw(big).rounded_rectangle(
        (0, 0, big.width - 1, big.height - 1), radius=radius * _SUPERSAMPLE, fill=255
    )
    small = big.resize((width, height), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.uint8)


def make_product_card(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Frame the product photo as a white-bordered rounded card (straight RGBA)."""
    photo = _crop_aspect(rgb)
    height, width = photo.shape[:2]
    scale = min(1.0, _MAX_SIDE / max(height, width))
    if scale < 1.0:
        size = (round(width * scale), round(height * scale))
        photo = u8(cv2.resize(photo, size, interpolation=cv2.INTER_AREA))
        height, width = photo.shape[:2]
    border = max(4, round(0.045 * min(height, width)))
    card_w, card_h = width + 2 * border, height + 2 * border
    card = np.full((card_h, card_w, 3), 250, np.uint8)
    inner = rounded_mask(width, height, 0.03 * min(width, height)).astype(np.float32) / 255
    region = card[border : border + height, border : border + width].astype(np.float32)
    blended = photo.astype(np.float32) * inner[:, :, None] + region * (1 - inner[:, :, None])
    card[border : border + height, border : border + width] = blended.astype(np.uint8)
    alpha = rounded_mask(card_w, card_h, 0.06 * min(card_w, card_h))
    return np.dstack([card, alpha])

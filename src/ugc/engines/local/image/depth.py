"""Portrait-mode depth from the person mask: a softer background, a person behind the product."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import f32, u8

_KERNEL = np.ones((3, 3), np.uint8)


def _small(image: NDArray[Any], factor: int) -> NDArray[Any]:
    height, width = image.shape[:2]
    size = (max(2, width // factor), max(2, height // factor))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA))


def _full(image: NDArray[Any], like: NDArray[Any]) -> NDArray[Any]:
    size = (like.shape[1], like.shape[0])
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR))


def _masked_blur(
    rgb: NDArray[np.uint8], weight: NDArray[np.float32], sigma: float
) -> NDArray[np.uint8]:
    # Normalised blur: only the weighted pixels spread, so the person's colours do not
    # smear into the background around them (the halo of a plain blur). A wide blur is
    # smooth anyway: it is computed at a quarter of the size.
    factor = 4 if sigma >= 8 else 2
    small, w = f32(_small(rgb, factor)), f32(_small(weight, factor))
    spread = cv2.GaussianBlur(small * w[:, :, None], (0, 0), sigma / factor)
    total = cv2.GaussianBlur(w, (0, 0), sigma / factor)
    filled = np.clip(spread / np.maximum(total, 1e-3)[:, :, None] + 0.5, 0, 255)
    return u8(_full(filled.astype(np.uint8), rgb))


def depth_blur(
    rgb: NDArray[np.uint8], mask: NDArray[np.float32], background: float, person: float
) -> NDArray[np.uint8]:
    """Blur the background by `background` and the person by `person` (sigmas, px)."""
    m = np.clip(mask, 0, 1)
    # The background is filled in under the person first (from its surroundings), so its
    # blur does not pull the person's silhouette into it.
    back = _masked_blur(rgb, 1 - m, background)
    front = rgb if person < 0.5 else u8(cv2.GaussianBlur(rgb, (0, 0), person))
    edge = f32(cv2.GaussianBlur(m, (0, 0), max(1.0, 0.4 * person)))
    return u8(cv2.blendLinear(front, back, edge, 1 - edge))


def clean_plate(rgb: NDArray[np.uint8], mask: NDArray[np.float32]) -> NDArray[np.uint8]:
    """The background with the person painted out, for layers that move apart in the video."""
    factor = 8
    small = u8(_small(rgb, factor))
    small_mask = f32(_small(mask, factor))
    hole = u8(cv2.dilate(u8(small_mask > 0.1) * 255, _KERNEL, iterations=2))
    filled = cv2.inpaint(small, hole, 3, cv2.INPAINT_TELEA)
    smooth = u8(_full(cv2.GaussianBlur(filled, (0, 0), 1.5), rgb))
    # Where the person was (and a little around, for the video's drift), the painted fill.
    grown = cv2.dilate(f32(_small(mask, 2)), _KERNEL, iterations=3)
    keep = f32(_full(cv2.GaussianBlur(1 - np.clip(grown, 0, 1), (0, 0), 1.0), rgb))
    return u8(cv2.blendLinear(rgb, smooth, keep, 1 - keep))

"""Portrait-mode depth from the person mask: a softer background, a person behind the product."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.sprite import soft_blur
from ugc.engines.local.kit.arrays import f32, u8

_KERNEL = np.ones((3, 3), np.uint8)


def _masked_blur(
    rgb: NDArray[np.float32], weight: NDArray[np.float32], sigma: float
) -> NDArray[np.float32]:
    # Normalised blur: only the weighted pixels spread, so the person's colours do not
    # smear into the background around them (the halo of a plain blur).
    spread = soft_blur(rgb * weight[:, :, None], sigma)
    total = soft_blur(weight, sigma)
    return f32(spread / np.maximum(total, 1e-3)[:, :, None])


def depth_blur(
    rgb: NDArray[np.uint8], mask: NDArray[np.float32], background: float, person: float
) -> NDArray[np.uint8]:
    """Blur the background by `background` and the person by `person` (sigmas, px)."""
    image = f32(rgb)
    m = np.clip(mask, 0, 1)
    # The background layer is filled in under the person first (from its surroundings),
    # so its blur does not pull the person's silhouette into it.
    back = _masked_blur(image, 1 - m, background)
    front = image if person < 0.5 else f32(cv2.GaussianBlur(image, (0, 0), person))
    edge = f32(cv2.GaussianBlur(m, (0, 0), max(1.0, 0.4 * person)))[:, :, None]
    return u8(np.clip(front * edge + back * (1 - edge) + 0.5, 0, 255))


def clean_plate(rgb: NDArray[np.uint8], mask: NDArray[np.float32]) -> NDArray[np.uint8]:
    """The background with the person painted out, for layers that move apart in the video."""
    height, width = rgb.shape[:2]
    factor = 8
    small = cv2.resize(
        rgb, (max(2, width // factor), max(2, height // factor)), interpolation=cv2.INTER_AREA
    )
    small_mask = cv2.resize(mask, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_AREA)
    hole = u8(cv2.dilate(u8(small_mask > 0.1) * 255, _KERNEL, iterations=2))
    filled = cv2.inpaint(small, hole, 3, cv2.INPAINT_TELEA)
    smooth = cv2.resize(
        cv2.GaussianBlur(filled, (0, 0), 1.5), (width, height), interpolation=cv2.INTER_LINEAR
    )
    grown = cv2.dilate(mask, _KERNEL, iterations=max(2, width // 200))
    keep = f32(cv2.GaussianBlur(1 - np.clip(grown, 0, 1), (0, 0), 2.0))[:, :, None]
    return u8(np.clip(rgb * keep + smooth * (1 - keep) + 0.5, 0, 255))

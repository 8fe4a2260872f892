"""The fingers in front of a held product: a mask from the hand's points, refined by the person."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.people import HandPose
from ugc.engines.local.image.sprite import soft_blur
from ugc.engines.local.kit.arrays import f32, u8
from ugc.engines.local.kit.geometry import Box

# What wraps round the front of a held product: each finger from its middle joint to its
# tip, and the thumb's last joint. The palm and the fingers' bases stay behind it.
_FINGERS = ((3, 4), (6, 7, 8), (10, 11, 12), (14, 15, 16), (18, 19, 20))
_THICKNESS = (0.3, 0.26, 0.27, 0.25, 0.21)

_KERNEL = np.ones((3, 3), np.uint8)


def finger_mask(
    hand: HandPose, region: Box, person: NDArray[np.float32] | None
) -> NDArray[np.float32]:
    """0..1 mask of the fingers over `region` of the canvas (region-sized)."""
    x0, y0 = int(region.x), int(region.y)
    width, height = max(1, int(region.w)), max(1, int(region.h))
    scale = 4  # drawn with sub-pixel precision, LINE_AA at 1/4 px
    mask = np.zeros((height, width), np.uint8)
    origin = np.array([x0, y0], np.float32)
    for chain, share in zip(_FINGERS, _THICKNESS, strict=True):
        points = np.round((hand.points[list(chain)] - origin) * scale).astype(np.int32)
        thickness = max(2, round(share * hand.palm_width))
        cv2.polylines(mask, [points.reshape(-1, 1, 2)], False, 255, thickness, cv2.LINE_AA, shift=2)
        for x, y in points:
            cv2.circle(mask, (int(x), int(y)), thickness * 2, 255, -1, cv2.LINE_AA, shift=2)
    soft = f32(mask) * np.float32(1 / 255)
    if person is not None:
        # The drawn fingers are a guess at their width; the person mask knows where the
        # skin really ends (and where the gaps between the fingers are).
        crop = person[y0 : y0 + height, x0 : x0 + width]
        pad = np.zeros((height, width), np.float32)
        pad[: crop.shape[0], : crop.shape[1]] = crop
        side = 2 * max(1, round(0.06 * hand.palm_width)) + 1
        grown = cv2.dilate(soft, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
        soft = np.minimum(grown, np.clip(pad * 1.4 - 0.2, 0, 1))
    return f32(cv2.GaussianBlur(soft, (0, 0), 0.8))


def covered_share(mask: NDArray[np.float32], product_alpha: NDArray[np.float32]) -> float:
    """How much of the product the fingers hide (both region-sized)."""
    solid = float(product_alpha.sum())
    return 0.0 if solid <= 0 else float((mask * product_alpha).sum()) / solid


def contact_shade(rgba: NDArray[np.uint8], mask: NDArray[np.float32], palm_width: float) -> None:
    """Darken a premultiplied sprite just around the fingers, in place: they touch it."""
    reach = soft_blur(f32(cv2.dilate(mask, _KERNEL, iterations=2)), max(1.5, 0.07 * palm_width))
    alpha = rgba[:, :, 3].astype(np.float32) * np.float32(1 / 255)
    shade = np.clip(reach - mask, 0, 1) * alpha * np.float32(0.35)
    gain = cv2.cvtColor(1 - shade, cv2.COLOR_GRAY2RGB)
    rgba[:, :, :3] = u8(np.clip(rgba[:, :, :3] * gain + 0.5, 0, 255))

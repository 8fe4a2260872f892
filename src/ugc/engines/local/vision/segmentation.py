"""The person mask from MediaPipe's selfie segmentation (hair included)."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import f32
from ugc.engines.local.vision import runtime
from ugc.engines.local.vision.crops import Pyramid, Roi, cut
from ugc.engines.local.vision.models import SELFIE, SELFIE_LANDSCAPE

# The graph stretches the whole photo (no letterbox) to 256x256, or to 256x144 with the
# landscape model; the model's output is already a 0..1 probability.
_SQUARE = (256, 256)
_LANDSCAPE = (256, 144)
# Photos at least this much wider than tall use the landscape model.
_LANDSCAPE_ASPECT = 1.3
# Masks are combined and cleaned at this size (long side), then scaled to the photo once.
MASK_SIDE = 384


def mask_grid(width: int, height: int) -> tuple[int, int]:
    """The size masks are combined at: the photo's shape, at most MASK_SIDE on its long side."""
    scale = min(1.0, MASK_SIDE / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def person_mask(photo: Pyramid, grid: tuple[int, int]) -> NDArray[np.float32]:
    """(grid h, grid w) float32 0..1: how surely each pixel belongs to a person."""
    height, width = photo.photo.shape[:2]
    landscape = width >= _LANDSCAPE_ASPECT * height
    model, size = (SELFIE_LANDSCAPE, _LANDSCAPE) if landscape else (SELFIE, _SQUARE)
    tensor = cut(photo, Roi.whole(width, height), size, (0.0, 1.0))
    (output,) = runtime.run(model, tensor).values()
    small = np.clip(output[0, :, :, 0], 0.0, 1.0).astype(np.float32)
    # A light blur at model resolution smooths the blocky upsampled edge without moving it.
    small = f32(cv2.GaussianBlur(small, (3, 3), 0))
    return f32(cv2.resize(small, grid, interpolation=cv2.INTER_LINEAR))


def keep_people(mask: NDArray[np.float32], anchors: NDArray[np.float32]) -> NDArray[np.float32]:
    """The mask without the blobs that hold none of the (N, 2) person points given.

    The segmentation model assumes someone is there: on a photo of a lake or a shelf it
    still marks some pixels. Only the parts that a detector also saw as a person (a face,
    a body or hand point) are kept; no point at all means no person.
    """
    height, width = mask.shape
    solid = (mask >= 0.5).astype(np.uint8)
    count, labels = cv2.connectedComponents(solid, connectivity=8)
    points = np.round(anchors).astype(int) if anchors.size else np.zeros((0, 2), int)
    inside = (
        (points[:, 0] >= 0) & (points[:, 0] < width) & (points[:, 1] >= 0) & (points[:, 1] < height)
    )
    points = points[inside]
    kept = np.unique(labels[points[:, 1], points[:, 0]]) if len(points) else np.zeros(0, int)
    kept = kept[kept > 0]
    if count <= 1 or kept.size == 0:
        return np.zeros_like(mask)
    if kept.size == count - 1:
        return mask
    keep = np.isin(labels, kept).astype(np.uint8)
    # Grow the kept blobs a little so their soft edges (values under 0.5) stay.
    radius = max(1, round(0.01 * max(height, width)))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    return f32(mask * cv2.dilate(keep, kernel))

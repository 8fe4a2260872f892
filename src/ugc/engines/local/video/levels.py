"""A layer kept at a few scales a step apart, so every per-frame warp is close to 1:1.

The camera pushes in from 1.04x to about 1.25x: a layer stored once at the sharpest size
is sampled at 0.84-1.0 of its pixels per output pixel, too far from 1 for the block warps
(plane_warp.py, within 4% of 1:1), which then fall back to warping pixel by pixel at
twice the cost. Copies a STEP apart (geometric, anchored at the sharpest size) put every
frame within sqrt(STEP) of one of them. The camera's zoom only grows, so a level, once
left, is rarely wanted again: only the last `keep` levels are held, and each is made from
the source image on first use (a resize and a colour conversion, a few ms).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

import cv2
import numpy as np
from numpy.typing import NDArray

T = TypeVar("T")
Factors = NDArray[np.float64]

# sqrt(1.075) = 1.037: within the block warp's 4%, with room for the rounding of sizes.
STEP = 1.075


class ScaleLevels(Generic[T]):
    """Levels built by `build(scale)` at anchor / STEP**k (k any integer)."""

    def __init__(self, anchor: float, build: Callable[[float], T], keep: int = 1) -> None:
        self.anchor = anchor
        self._build = build
        self._keep = keep
        self._levels: OrderedDict[int, tuple[float, T]] = OrderedDict()
        self.built = 0  # how many levels were made (for tests)

    def at(self, scale: float) -> tuple[float, T]:
        """The level nearest `scale` (layer pixels per image pixel) and its own scale."""
        k = round(math.log(self.anchor / scale) / math.log(STEP))
        level = self._levels.get(k)
        if level is None:
            while len(self._levels) >= self._keep:
                self._levels.popitem(last=False)  # freed before the next one is made
            level_scale = self.anchor / STEP**k
            level = (level_scale, self._build(level_scale))
            self.built += 1
        else:
            self._levels.move_to_end(k)
        self._levels[k] = level
        return level


def resized(image: NDArray[np.uint8], scale: float) -> tuple[NDArray[np.uint8], Factors]:
    """The image resized by about `scale`, and the exact per-axis factors (sizes are rounded).

    The factors are a column (x, y), so `matrix * factors` scales an affine map's rows.
    """
    height, width = image.shape[:2]
    size = (max(2, round(width * scale)), max(2, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    out = np.asarray(cv2.resize(image, size, interpolation=interpolation), dtype=np.uint8)
    return out, np.array([[size[0] / width], [size[1] / height]])

"""Rotated regions of a photo and the model-input tensors cut from them.

A region (Roi) is a rectangle in photo pixels, turned by `angle` radians about its centre;
a model looks at it as an upright tensor. The same affine map takes the model's outputs,
in tensor coordinates (0..1), back to photo pixels, so letterboxing and rotation are undone
in one place for every model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import u8


@dataclass(frozen=True, slots=True)
class Roi:
    """A rotated rectangle in photo pixels (continuous coordinates: pixel i spans [i, i+1))."""

    cx: float
    cy: float
    width: float
    height: float
    angle: float = 0.0  # radians; positive turns the region's up clockwise on screen

    @classmethod
    def whole(cls, width: int, height: int) -> Roi:
        """The whole photo."""
        return cls(width / 2, height / 2, float(width), float(height))

    def transformed(
        self, *, scale: float = 1.0, shift_x: float = 0.0, shift_y: float = 0.0, square: bool = True
    ) -> Roi:
        """Shifted along its own axes (in its own sizes), squared on the long side, scaled."""
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        dx = self.width * shift_x * cos - self.height * shift_y * sin
        dy = self.width * shift_x * sin + self.height * shift_y * cos
        width, height = self.width, self.height
        if square:
            width = height = max(width, height)
        return Roi(self.cx + dx, self.cy + dy, width * scale, height * scale, self.angle)

    def fitted(self, aspect: float) -> Roi:
        """Grown on one side to the width/height ratio `aspect` (letterboxing)."""
        if self.width / self.height > aspect:
            return Roi(self.cx, self.cy, self.width, self.width / aspect, self.angle)
        return Roi(self.cx, self.cy, self.height * aspect, self.height, self.angle)

    def to_photo(self, points: NDArray[np.float32]) -> NDArray[np.float32]:
        """Map (N, 2) points in the region's own 0..1 coordinates to photo pixels."""
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        u = (points[:, 0] - 0.5) * self.width
        v = (points[:, 1] - 0.5) * self.height
        out = np.empty((points.shape[0], 2), dtype=np.float32)
        out[:, 0] = self.cx + u * cos - v * sin
        out[:, 1] = self.cy + u * sin + v * cos
        return out


def normalize_angle(angle: float) -> float:
    """The same angle in [-pi, pi)."""
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def angle_to_vertical(x0: float, y0: float, x1: float, y1: float, target: float) -> float:
    """The turn that brings the vector (x0, y0) -> (x1, y1) to `target` radians (90: up)."""
    return normalize_angle(target - math.atan2(-(y1 - y0), x1 - x0))


def affine(roi: Roi, out_w: int, out_h: int) -> NDArray[np.float64]:
    """The 2x3 map from tensor pixel indices to photo pixel indices (centres at integers)."""
    cos, sin = math.cos(roi.angle), math.sin(roi.angle)
    sx, sy = roi.width / out_w, roi.height / out_h
    a, b = sx * cos, -sy * sin
    c, d = sx * sin, sy * cos
    # Tensor pixel centre (u + 0.5, v + 0.5) lands on the continuous photo point; OpenCV
    # puts photo pixel centres at integer coordinates, hence the final -0.5.
    tx = roi.cx - 0.5 * (a * out_w + b * out_h) + 0.5 * (a + b) - 0.5
    ty = roi.cy - 0.5 * (c * out_w + d * out_h) + 0.5 * (c + d) - 0.5
    return np.array([[a, b, tx], [c, d, ty]], dtype=np.float64)


def _bounds(
    roi: Roi, width: int, height: int, scale: tuple[float, float] = (1.0, 1.0)
) -> tuple[int, int, int, int]:
    """The pixels the region touches in an image `scale` times the photo, clipped to it."""
    corners = roi.to_photo(np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.float32))
    corners *= np.array(scale, dtype=np.float32)
    x0, y0 = np.floor(corners.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(corners.max(axis=0)).astype(int) + 1
    return max(0, x0), max(0, y0), min(width, x1), min(height, y1)


class Pyramid:
    """A photo and its halvings (made on demand), so that big shrinks do not alias.

    Bilinear sampling that shrinks by more than half skips pixels; cutting from the
    halving nearest above the wanted size keeps every pixel's share. One per analysis.
    """

    def __init__(self, photo: NDArray[np.uint8]) -> None:
        self.levels = [photo]

    @property
    def photo(self) -> NDArray[np.uint8]:
        """The full-size photo."""
        return self.levels[0]

    def level(self, shrink: float) -> tuple[NDArray[np.uint8], float, float]:
        """The largest halving that a warp shrinking the photo by `shrink` shrinks by at
        least half, and its x and y scale from the photo."""
        full_width, full_height = self.photo.shape[1], self.photo.shape[0]
        index = 0
        while True:
            image = self.levels[index]
            height, width = image.shape[:2]
            rx, ry = width / full_width, height / full_height
            if shrink / rx >= 0.5 or min(width, height) < 8:
                return image, rx, ry
            if index + 1 == len(self.levels):
                half = (max(1, width // 2), max(1, height // 2))
                self.levels.append(u8(cv2.resize(image, half, interpolation=cv2.INTER_AREA)))
            index += 1


def cut(
    source: Pyramid | NDArray[np.uint8],
    roi: Roi,
    size: tuple[int, int],
    value_range: tuple[float, float],
    *,
    replicate: bool = False,
) -> NDArray[np.float32]:
    """The region as a (1, h, w, 3) float32 tensor scaled to `value_range`."""
    pyramid = source if isinstance(source, Pyramid) else Pyramid(source)
    out_w, out_h = size
    matrix = affine(roi, out_w, out_h)
    image, rx, ry = pyramid.level(min(out_w / roi.width, out_h / roi.height))
    if rx != 1.0 or ry != 1.0:
        # Photo pixel centres p sit at (p + 0.5) * r - 0.5 in the halving.
        matrix[0] *= rx
        matrix[1] *= ry
        matrix[:, 2] += (0.5 * rx - 0.5, 0.5 * ry - 0.5)
    x0, y0, x1, y1 = _bounds(roi, image.shape[1], image.shape[0], (rx, ry))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return np.full((1, out_h, out_w, 3), value_range[0], dtype=np.float32)
    matrix[:, 2] -= (x0, y0)
    warped = cv2.warpAffine(
        image[y0:y1, x0:x1],
        matrix,
        (out_w, out_h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE if replicate else cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    low, high = value_range
    tensor = warped.astype(np.float32) * np.float32((high - low) / 255.0) + np.float32(low)
    return tensor[np.newaxis]

"""A cut-out layer at one scale: its YUVA pixels and the images its per-frame warps sample."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.video.plane_warp import blocks_of
from ugc.engines.local.video.yuv import half_size

Image = NDArray[np.uint8]


def _even(image: Image) -> Image:
    height, width = image.shape[:2]
    return u8(cv2.copyMakeBorder(image, 0, height % 2, 0, width % 2, cv2.BORDER_CONSTANT))


def _right_neighbour(plane: Image) -> Image:
    return u8(cv2.copyMakeBorder(plane, 0, 0, 0, 1, cv2.BORDER_CONSTANT)[:, 1:])


class CutoutLevel:
    """Premultiplied (Y, U, V, alpha) pixels, and what the warps sample, each made on need."""

    def __init__(self, pixels: Image, factors: NDArray[np.float64]) -> None:
        self.pixels = _even(pixels)
        self.factors = factors  # this level's pixels per pixel of the sharpest level
        self._half: Image | None = None
        self._pairs: Image | None = None
        self._luma_blocks: Image | None = None

    def half(self) -> Image:
        """(Y, U, V, alpha) at half size: premultiplied values average correctly."""
        if self._half is None:
            self._half = half_size(self.pixels)
        return self._half

    def pairs(self) -> Image:
        """(luma, its right neighbour's, alpha, its right neighbour's) for each pixel.

        As 16-bit words: a luma pair then an alpha pair, in the order of their bytes in
        the planes, so one copy puts a warped pair in place.
        """
        if self._pairs is None:
            luma = np.ascontiguousarray(self.pixels[:, :, 0])
            alpha = np.ascontiguousarray(self.pixels[:, :, 3])
            channels = [luma, _right_neighbour(luma), alpha, _right_neighbour(alpha)]
            self._pairs = u8(cv2.merge(channels))
        return self._pairs

    def luma_blocks(self) -> Image:
        """Each pixel's 2x2 block of luma (plane_warp.py)."""
        if self._luma_blocks is None:
            luma = np.ascontiguousarray(self.pixels[:, :, 0])
            self._luma_blocks = blocks_of(luma, cv2.BORDER_CONSTANT)
        return self._luma_blocks

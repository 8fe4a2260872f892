"""The background at one scale level, as the planes that are warped into every frame.

A sharp background keeps full-size Y, U and V planes, warped as 2x2 blocks near 1:1. A
background under a depth blur of at least SOFT_SIGMA output pixels has no detail that a
half-size copy would visibly lose (a Gaussian that wide keeps 6% of the contrast at half
size's Nyquist frequency, which bilinear resampling itself halves): it is kept as one
half-size image of four channels (Y, U, V and a spare one: OpenCV warps four channels at
about the cost of one, three on a slower path), warped once per frame at the chroma
planes' size; U and V are copied out, Y is upsampled. One warp of a quarter of the
frame's pixels instead of three warps. Under DEEP_SIGMA, a quarter-size copy.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.video.plane_warp import WARP, WarpedPlane, half_matrix
from ugc.engines.local.video.yuv import FrameBuffer, Plane, half_size, rgb_to_planes

Affine = NDArray[np.float64]
# The depth blur (Gaussian sigma, in output pixels) from which a half-size layer looks
# the same as a full-size one, and from which a quarter-size background does (its two
# more bilinear steps soften it by under a grey level on average: measured).
SOFT_SIGMA = 1.5
DEEP_SIGMA = 6.0


class SharpBackground:
    """Full-size Y, U and V planes."""

    def __init__(self, rgb: NDArray[np.uint8]) -> None:
        self.planes = [WarpedPlane(plane, cv2.BORDER_REFLECT) for plane in rgb_to_planes(rgb)]

    def draw(self, matrix: Affine, frame: FrameBuffer) -> None:
        """Fill the frame; matrix maps output pixels to this level's pixels."""
        half = half_matrix(matrix)
        for layer, plane, m in zip(self.planes, frame.planes(), (matrix, half, half), strict=True):
            layer.warp_into(m, plane)


def upsample_luma(half: Plane, luma: Plane) -> None:
    """Fill a luma plane from its half-size version (bicubic: as sharp as the layers were)."""
    cv2.resize(half, (luma.shape[1], luma.shape[0]), dst=luma, interpolation=cv2.INTER_CUBIC)


def _half_of_half(matrix: Affine) -> Affine:
    # From the quarter-size output to the quarter-size layer, centre on centre as the
    # upsampling to half size takes it: quarter pixel p lies at half pixel 2p + 0.5.
    half = half_matrix(matrix)
    out = half.copy()
    out[:, 2] = (half[:, :2] @ np.array([0.5, 0.5]) + half[:, 2] - 0.5) / 2
    return out


class SoftBackground:
    """One half-size (Y, U, V, spare) image, for a background blurred by the depth of field.

    deep: blurred by DEEP_SIGMA or more: warped at a quarter of the size, then upsampled
    to half size.
    """

    def __init__(self, rgb: NDArray[np.uint8], deep: bool = False) -> None:
        luma, u, v = rgb_to_planes(rgb)
        self.yuv = u8(cv2.merge([half_size(luma), u, v, v]))
        self.deep = deep
        if deep:
            self.yuv = half_size(_even(self.yuv))
        self._warped: dict[int, NDArray[np.uint8]] = {}
        self._half_luma: Plane | None = None

    def draw(self, matrix: Affine, frame: FrameBuffer) -> None:
        """Fill the frame; matrix maps output pixels to full-size pixels of this level."""
        if self._half_luma is None:
            self._half_luma = np.empty_like(frame.u)
        self.draw_half(matrix, frame, self._half_luma)
        upsample_luma(self._half_luma, frame.y)

    def _buffer(self, divide: int, frame: FrameBuffer) -> NDArray[np.uint8]:
        if divide not in self._warped:
            self._warped[divide] = np.empty(
                (frame.height // divide, frame.width // divide, 4), np.uint8
            )
        return self._warped[divide]

    def draw_half(self, matrix: Affine, frame: FrameBuffer, half_luma: Plane) -> None:
        """Fill the frame's chroma and a half-size luma plane (for soft layers drawn over it)."""
        warped = self._buffer(2, frame)
        if self.deep:
            quarter = self._buffer(4, frame)
            size = (quarter.shape[1], quarter.shape[0])
            cv2.warpAffine(
                self.yuv,
                _half_of_half(matrix),
                size,
                dst=quarter,
                flags=WARP,
                borderMode=cv2.BORDER_REFLECT,
            )
            cv2.resize(
                quarter,
                (warped.shape[1], warped.shape[0]),
                dst=warped,
                interpolation=cv2.INTER_LINEAR,
            )
        else:
            cv2.warpAffine(
                self.yuv,
                half_matrix(matrix),
                (warped.shape[1], warped.shape[0]),
                dst=warped,
                flags=WARP,
                borderMode=cv2.BORDER_REFLECT,
            )
        cv2.mixChannels([warped], [half_luma, frame.u, frame.v], [0, 0, 1, 1, 2, 2])


def _even(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    height, width = image.shape[:2]
    return u8(cv2.copyMakeBorder(image, 0, height % 2, 0, width % 2, cv2.BORDER_REPLICATE))

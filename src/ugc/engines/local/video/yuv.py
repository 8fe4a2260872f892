"""Layers in the encoder's own format (I420 planes), blended with saturating uint8 maths.

Working in YUV halves the bytes per pixel the per-frame warps touch and removes the
per-frame colour conversion; alpha blending is linear, so it gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import u8

Plane = NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class PlaneLayer:
    """One plane of a premultiplied layer: colour times alpha, and alpha."""

    colour: Plane
    alpha: Plane


def _even(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    height, width = rgb.shape[:2]
    return u8(cv2.copyMakeBorder(rgb, 0, height % 2, 0, width % 2, cv2.BORDER_REPLICATE))


def rgb_to_planes(rgb: NDArray[np.uint8]) -> tuple[Plane, Plane, Plane]:
    """BT.601 limited-range Y, U, V planes (U and V at half size) of an even-sized image."""
    rgb = _even(rgb)
    height, width = rgb.shape[:2]
    flat = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).ravel()
    luma, chroma = height * width, (height // 2) * (width // 2)
    y = flat[:luma].reshape(height, width)
    u = flat[luma : luma + chroma].reshape(height // 2, width // 2)
    v = flat[luma + chroma :].reshape(height // 2, width // 2)
    return np.ascontiguousarray(y), np.ascontiguousarray(u), np.ascontiguousarray(v)


def premultiplied_to_layers(rgba: NDArray[np.uint8]) -> tuple[PlaneLayer, PlaneLayer, PlaneLayer]:
    """Split a premultiplied RGBA image into premultiplied Y, U, V plane layers."""
    rgba = _even(rgba)
    alpha = np.ascontiguousarray(rgba[:, :, 3])
    # Unpremultiplied in uint8 (rounded; zero where alpha is): no full-size float copies.
    straight = cv2.divide(np.ascontiguousarray(rgba[:, :, :3]), cv2.merge([alpha] * 3), scale=255)
    planes = rgb_to_planes(u8(straight))
    half = cv2.resize(
        alpha, (alpha.shape[1] // 2, alpha.shape[0] // 2), interpolation=cv2.INTER_AREA
    )
    layers = []
    for plane, plane_alpha in zip(planes, (alpha, half, half), strict=True):
        colour = cv2.multiply(plane, plane_alpha, scale=1 / 255)
        layers.append(PlaneLayer(u8(colour), u8(plane_alpha)))
    return layers[0], layers[1], layers[2]


def premultiplied_to_yuva(rgba: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A premultiplied RGBA image as one full-size 4-channel (Y, U, V, alpha) premultiplied image.

    Four channels warp in one OpenCV call at about the cost of 1.4 single-channel warps,
    so a moving layer costs one warp per frame instead of six.
    """
    luma, u, v = premultiplied_to_layers(rgba)
    height, width = luma.alpha.shape
    up_u = cv2.resize(u.colour, (width, height), interpolation=cv2.INTER_LINEAR)
    up_v = cv2.resize(v.colour, (width, height), interpolation=cv2.INTER_LINEAR)
    return u8(cv2.merge([luma.colour, up_u, up_v, luma.alpha]))


class FrameBuffer:
    """One I420 frame: a single contiguous buffer with Y, U and V plane views."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        if width % 4 or height % 4:
            raise ValueError("frame sizes must be multiples of 4")
        self.data = np.zeros((height * 3 // 2, width), np.uint8)
        quarter = height // 4
        self.y = self.data[:height]
        self.u = self.data[height : height + quarter].reshape(height // 2, width // 2)
        self.v = self.data[height + quarter :].reshape(height // 2, width // 2)

    def planes(self) -> tuple[Plane, Plane, Plane]:
        """The Y, U and V views."""
        return self.y, self.u, self.v


def half_size(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The 2x2 means of an even-sized image, rounded half to even.

    OpenCV's area resize of uint8 rounds halves up, which raises a plane by 1/8 of a level
    on average: invisible once, but a half-size layer upsampled into the frame shows it as
    a brighter picture than the full-size one. In float32 its 2x2 means are exact (quarters
    of integers), and the conversion back rounds half to even: the same result as integer
    maths, at a third of the cost of doing it in numpy (whose strided sums of four-channel
    pixels run four bytes at a time).
    """
    height, width = image.shape[:2]
    means = cv2.resize(
        image.astype(np.float32), (width // 2, height // 2), interpolation=cv2.INTER_AREA
    )
    return u8(cv2.convertScaleAbs(means))

"""A premultiplied layer (the product, the person) warped into I420 frames each frame."""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.sprite import Sprite
from ugc.engines.local.video.yuv import FrameBuffer, premultiplied_to_yuva

Affine = NDArray[np.float64]
_WARP = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP


def _resized(image: NDArray[np.uint8], scale: float) -> NDArray[np.uint8]:
    size = (max(2, round(image.shape[1] * scale)), max(2, round(image.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, size, interpolation=interpolation), dtype=np.uint8)


class CutoutLayer:
    """A sprite stored as YUVA at `scale` times its image size, cropped to what it covers."""

    def __init__(self, sprite: Sprite, scale: float) -> None:
        self.scale = scale
        self.origin = np.array([sprite.x, sprite.y], float)
        yuva = premultiplied_to_yuva(_resized(sprite.rgba, scale))
        # Only what covers anything is warped each frame, not the empty margin a shadow
        # was blurred into: outside the crop every channel is zero anyway.
        covers = yuva.view(np.uint32)[:, :, 0] != 0  # any of the four channels
        x, y, w, h = cv2.boundingRect(covers.view(np.uint8))
        self.pixels: NDArray[np.uint8] | None = (
            np.ascontiguousarray(yuva[y : y + h, x : x + w]) if w and h else None
        )
        self.crop = np.array([x, y], float)

    def draw(self, to_image: Affine, frame: FrameBuffer, out_size: tuple[int, int]) -> None:
        """Blend the layer into the frame; to_image maps output pixels to image pixels."""
        if self.pixels is None:
            return
        matrix = to_image.copy()
        matrix[:, 2] -= self.origin
        matrix *= self.scale
        matrix[:, 2] -= self.crop  # into the cropped layer's pixels
        sh, sw = self.pixels.shape[:2]
        corners = np.array([[0, 0, 1], [sw, 0, 1], [0, sh, 1], [sw, sh, 1]], float)
        screen = corners @ cv2.invertAffineTransform(matrix).T
        width, height = out_size
        x0 = max(0, int(screen[:, 0].min()) // 2 * 2)
        y0 = max(0, int(screen[:, 1].min()) // 2 * 2)
        x1 = min(width, (math.ceil(screen[:, 0].max()) + 2) // 2 * 2)
        y1 = min(height, (math.ceil(screen[:, 1].max()) + 2) // 2 * 2)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        shifted = matrix.copy()
        shifted[:, 2] += matrix[:, :2] @ np.array([x0, y0], float)
        yuva = cv2.warpAffine(self.pixels, shifted, (x1 - x0, y1 - y0), flags=_WARP)
        # Premultiplied values average correctly, so the chroma planes take a plain 2x2 mean.
        half = cv2.resize(yuva, ((x1 - x0) // 2, (y1 - y0) // 2), interpolation=cv2.INTER_AREA)
        luma, _, _, alpha = cv2.split(yuva)
        _, u, v, half_alpha = cv2.split(half)
        for plane, colour, cover, div in (
            (frame.y, luma, alpha, 1),
            (frame.u, u, half_alpha, 2),
            (frame.v, v, half_alpha, 2),
        ):
            region = plane[y0 // div : y1 // div, x0 // div : x1 // div]
            keep = cv2.bitwise_not(cover)
            cv2.add(cv2.multiply(region, keep, scale=1 / 255), colour, dst=region)

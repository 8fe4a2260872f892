"""A premultiplied layer (the product, the person) warped into I420 frames each frame.

Like the background, the layer is kept at a few scales a step apart (levels.py), each made
on first use from the sharpest one, so that its warp stays near 1:1. There it samples pixel
pairs: one four-channel image of each pixel's luma and alpha and its right neighbour's
fills two output pixels per sample (within the block warps' error, plane_warp.py), and the
chroma and alpha are warped at the chroma planes' own half size. A layer whose alpha has
no detail at that size (the person's, from a low-resolution mask) takes it from there,
upsampled, and its luma as 2x2 blocks; one under a depth blur (see background.py) is
warped whole at half size.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.sprite import Sprite
from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.video.background import upsample_luma
from ugc.engines.local.video.cutout_level import CutoutLevel, Image
from ugc.engines.local.video.levels import ScaleLevels, resized
from ugc.engines.local.video.plane_warp import (
    WARP,
    block_matrix,
    half_matrix,
    near_one_to_one,
    unpack_blocks,
)
from ugc.engines.local.video.yuv import FrameBuffer, Plane, premultiplied_to_yuva

Affine = NDArray[np.float64]
# The half-size (Y, U, V, alpha) warp, split into planes (source channel, plane) pairs.
_SOFT_SPLIT = [0, 0, 1, 1, 2, 2, 3, 3]
_SHARP_SPLIT = [1, 0, 2, 1, 3, 2]  # U, V and alpha only


def _resized(image: Image, scale: float) -> Image:
    size = (max(2, round(image.shape[1] * scale)), max(2, round(image.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, size, interpolation=interpolation), dtype=np.uint8)


def _blend(plane: Plane, colour: Plane, cover: Plane) -> None:
    # Premultiplied "over": what is under keeps (255 - alpha) / 255 of itself.
    cv2.add(cv2.multiply(plane, cv2.bitwise_not(cover), scale=1 / 255), colour, dst=plane)


class _Scratch:
    """Per-frame planes, each as large as the largest drawn so far: frames use views of them."""

    def __init__(self) -> None:
        self._buffers: dict[str, Image] = {}

    def get(self, name: str, height: int, width: int, channels: int = 1) -> Image:
        buffer = self._buffers.get(name)
        if buffer is None or buffer.shape[0] < height or buffer.shape[1] < width:
            rows = max(height, 0 if buffer is None else buffer.shape[0])
            cols = max(width, 0 if buffer is None else buffer.shape[1])
            shape = (rows, cols, channels) if channels > 1 else (rows, cols)
            buffer = self._buffers[name] = np.empty(shape, np.uint8)
        return buffer[:height, :width]


class CutoutLayer:
    """A sprite stored as YUVA at `scale` times its image size, cropped to what it covers.

    soft_alpha: the alpha has no detail at half the output size (a mask made at low
    resolution), so it is warped there with the chroma and upsampled. soft: the colour
    neither (a depth blur), so the whole layer is warped at half size.
    """

    def __init__(
        self, sprite: Sprite, scale: float, soft_alpha: bool = False, soft: bool = False
    ) -> None:
        self.scale = scale
        self.soft_alpha, self.soft = soft_alpha or soft, soft
        self.origin = np.array([sprite.x, sprite.y], float)
        yuva = premultiplied_to_yuva(_resized(sprite.rgba, scale))
        # Only what covers anything is warped each frame, not the empty margin a shadow
        # was blurred into: outside the crop every channel is zero anyway.
        covers = yuva.view(np.uint32)[:, :, 0] != 0  # any of the four channels
        x, y, w, h = cv2.boundingRect(covers.view(np.uint8))
        self.pixels: Image | None = (
            np.ascontiguousarray(yuva[y : y + h, x : x + w]) if w and h else None
        )
        self.crop = np.array([x, y], float)
        # The person's level only changes with the push-in; the product's pop goes and
        # comes back, so the last two are kept.
        self.levels: ScaleLevels[CutoutLevel] = ScaleLevels(1.0, self._level, keep=2)
        self._scratch = _Scratch()

    def _level(self, factor: float) -> CutoutLevel:
        assert self.pixels is not None
        if math.isclose(factor, 1.0):
            return CutoutLevel(self.pixels, np.ones((2, 1)))
        return CutoutLevel(*resized(self.pixels, factor))

    def draw(
        self,
        to_image: Affine,
        frame: FrameBuffer,
        out_size: tuple[int, int],
        half_luma: Plane | None = None,
    ) -> None:
        """Blend the layer into the frame; to_image maps output pixels to image pixels.

        half_luma: a soft layer's luma is blended into this half-size plane instead, which
        the caller upsamples into the frame once the soft layers are drawn.
        """
        if self.pixels is None:
            return
        matrix = to_image.copy()
        matrix[:, 2] -= self.origin
        matrix *= self.scale
        matrix[:, 2] -= self.crop  # into the cropped layer's pixels
        # Layer pixels per output pixel (the 2x2 determinant, without numpy's general one).
        sampled = math.sqrt(abs(matrix[0, 0] * matrix[1, 1] - matrix[0, 1] * matrix[1, 0]))
        # A soft layer looks the same sampled at any scale near 1: one level serves.
        _, level = self.levels.at(1.0 if self.soft else 1 / sampled)
        matrix *= level.factors
        sh, sw = level.pixels.shape[:2]
        corners = np.array([[0, 0, 1], [sw, 0, 1], [0, sh, 1], [sw, sh, 1]], float)
        screen = corners @ cv2.invertAffineTransform(matrix).T
        width, height = out_size
        x0 = max(0, int(screen[:, 0].min()) // 2 * 2)
        y0 = max(0, int(screen[:, 1].min()) // 2 * 2)
        x1 = min(width, (math.ceil(screen[:, 0].max()) + 2) // 2 * 2)
        y1 = min(height, (math.ceil(screen[:, 1].max()) + 2) // 2 * 2)
        if x1 - x0 < 2 or y1 - y0 < 2:
            return
        matrix[:, 2] += matrix[:, :2] @ np.array([x0, y0], float)  # from the box's corner
        luma = frame.y[y0:y1, x0:x1]
        half = (slice(y0 // 2, y1 // 2), slice(x0 // 2, x1 // 2))
        u, v = frame.u[half], frame.v[half]
        if not (self.soft or near_one_to_one(matrix)):
            self._draw_plain(level, matrix, luma, u, v)
            return
        # Chroma and alpha (and a soft layer's luma) at half size.
        rows, cols = (y1 - y0) // 2, (x1 - x0) // 2
        warped = self._scratch.get("half", rows, cols, 4)
        cv2.warpAffine(level.half(), half_matrix(matrix), (cols, rows), dst=warped, flags=WARP)
        # A sharp layer's luma comes from full size: its half-size copy is left in place.
        names = ("y2", "u2", "v2", "a2") if self.soft else ("u2", "v2", "a2")
        planes = [self._scratch.get(name, rows, cols) for name in names]
        cv2.mixChannels([warped], planes, _SOFT_SPLIT if self.soft else _SHARP_SPLIT)
        *_, half_u, half_v, half_alpha = planes
        _blend(u, half_u, half_alpha)
        _blend(v, half_v, half_alpha)
        if self.soft and half_luma is not None:
            _blend(half_luma[half], planes[0], half_alpha)
        else:
            colour, alpha = self._full_size(level, matrix, planes)
            _blend(luma, colour, alpha)

    def _full_size(
        self, level: CutoutLevel, matrix: Affine, halves: list[Plane]
    ) -> tuple[Plane, Plane]:
        """The layer's luma and alpha over the box at full size."""
        half_alpha = halves[-1]
        rows, cols = half_alpha.shape[0] * 2, half_alpha.shape[1] * 2
        luma, alpha = self._scratch.get("y", rows, cols), self._scratch.get("a", rows, cols)
        if self.soft:
            upsample_luma(halves[0], luma)
        if self.soft_alpha:
            cv2.resize(half_alpha, (cols, rows), dst=alpha, interpolation=cv2.INTER_LINEAR)
        if not self.soft_alpha:
            pairs = self._scratch.get("pairs", rows, cols // 2, 4)
            pair_matrix = matrix.copy()
            pair_matrix[:, 0] *= 2  # output pair (i, j) starts at output pixel (2j, i)
            cv2.warpAffine(level.pairs(), pair_matrix, (cols // 2, rows), dst=pairs, flags=WARP)
            words = [luma.view(np.uint16), alpha.view(np.uint16)]
            cv2.mixChannels([pairs.view(np.uint16)], words, [0, 0, 1, 1])
        elif not self.soft:
            blocks = self._scratch.get("blocks", rows // 2, cols // 2, 4)
            cv2.warpAffine(
                level.luma_blocks(),
                block_matrix(matrix),
                (cols // 2, rows // 2),
                dst=blocks,
                flags=WARP,
            )
            unpack_blocks(blocks, luma)
        return luma, alpha

    def _draw_plain(
        self, level: CutoutLevel, matrix: Affine, luma: Plane, u: Plane, v: Plane
    ) -> None:
        height, width = luma.shape
        yuva = cv2.warpAffine(level.pixels, matrix, (width, height), flags=WARP)
        # Premultiplied values average correctly, so the chroma planes take a plain 2x2 mean.
        half = cv2.resize(yuva, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
        colour, _, _, alpha = (u8(plane) for plane in cv2.split(yuva))
        _, half_u, half_v, half_alpha = (u8(plane) for plane in cv2.split(half))
        _blend(luma, colour, alpha)
        _blend(u, half_u, half_alpha)
        _blend(v, half_v, half_alpha)

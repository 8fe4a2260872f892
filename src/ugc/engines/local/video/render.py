"""Rendering video frames from the layers: camera warp, parallax product, captions, end card."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.sprite import Sprite
from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.kit.caption import CaptionLine
from ugc.engines.local.kit.geometry import Box
from ugc.engines.local.video.background import (
    DEEP_SIGMA,
    SOFT_SIGMA,
    SharpBackground,
    SoftBackground,
    upsample_luma,
)
from ugc.engines.local.video.cutout_layer import CutoutLayer
from ugc.engines.local.video.levels import ScaleLevels, resized
from ugc.engines.local.video.motion import (
    FPS,
    Shot,
    View,
    camera_at,
    card_opacity,
    handheld,
    line_opacity,
    product_lift,
    product_pop,
)
from ugc.engines.local.video.plane_warp import WarpedPlane, half_matrix
from ugc.engines.local.video.yuv import (
    FrameBuffer,
    PlaneLayer,
    premultiplied_to_layers,
    rgb_to_planes,
)

Affine = NDArray[np.float64]
# The product sits nearer the camera than the person, the background farther: each moves
# with the handheld drift in proportion (the product this much more than the person), and
# the push-in magnifies near layers more than far ones.
_PARALLAX = 0.8
_FAR = 0.45
_PUSH_PARALLAX = 0.35
# The product layer is stored sharper than the person: it is pushed and lifted further.
_NEAR_HEADROOM = 1.15
_WARP = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP


@dataclass(frozen=True, slots=True)
class Layers:
    """What a video is made of, in image pixels; sprite and face may be missing."""

    image_size: tuple[int, int]
    background: NDArray[np.uint8]
    sprite: Sprite | None
    product_box: Box | None
    captions: list[CaptionLine]
    # Builds the RGB card at output size; called only once the card first shows, so its
    # cost overlaps the encoding of the earlier frames instead of delaying the first one.
    end_card: Callable[[], NDArray[np.uint8]]
    shot: Shot
    # The person cut out of the background (which then has them painted out): the two
    # move apart as the camera pushes in. None: the background is one flat layer.
    person: Sprite | None = None
    # Whether the product lifts in the hand holding it (a little toward the camera).
    lifted: bool = False
    # The depth blur of the background and of the person (Gaussian sigmas, image pixels).
    blur: tuple[float, float] = (0.0, 0.0)


def _resized(image: NDArray[np.uint8], scale: float) -> NDArray[np.uint8]:
    size = (max(2, round(image.shape[1] * scale)), max(2, round(image.shape[0] * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, size, interpolation=interpolation), dtype=np.uint8)


def _camera_matrix(view: View, out_size: tuple[int, int], to_layer: float) -> Affine:
    """Output pixel -> image pixel for the view: G u + (c - G * half)."""
    # In plain floats: three of these a frame, each a few numpy calls on 2x2 arrays otherwise.
    half_w, half_h = out_size[0] / 2, out_size[1] / 2
    angle = math.radians(view.roll)
    scale = 1 / (view.zoom * to_layer)
    cos, sin = scale * math.cos(angle), scale * math.sin(angle)
    return np.array(
        [
            [cos, -sin, view.cx - (cos * half_w - sin * half_h)],
            [sin, cos, view.cy - (sin * half_w + cos * half_h)],
        ]
    )


class FrameRenderer:
    """Draws frame i of the video into an I420 buffer, reusing every precomputed layer."""

    def __init__(self, layers: Layers, out_size: tuple[int, int]) -> None:
        self.out_size = out_size
        self.image_size = layers.image_size
        self.to_out = out_size[0] / layers.image_size[0]
        self.shot = layers.shot
        zooms = [layers.shot.push.zoom] + ([layers.shot.close.zoom] if layers.shot.close else [])
        # Layers are resampled once to the sharpest size the camera will need, so the
        # per-frame warp never scales by much (no blur, no aliasing). The background is
        # also kept at a few sizes below that (levels.py), so that its three planes are
        # always warped as 2x2 blocks, at a third of the cost of a plain warp; a blurred
        # one is warped at half size (background.py).
        self.bg_scale = self.to_out * max(zooms)
        background = layers.background
        self._soft_background = layers.blur[0] * self.to_out >= SOFT_SIGMA

        deep = layers.blur[0] * self.to_out >= DEEP_SIGMA

        def background_level(scale: float) -> tuple[SharpBackground | SoftBackground, Affine]:
            image, factors = resized(background, scale)
            return (
                SoftBackground(image, deep) if self._soft_background else SharpBackground(image)
            ), factors

        self.bg: ScaleLevels[tuple[SharpBackground | SoftBackground, Affine]] = ScaleLevels(
            self.bg_scale, background_level
        )
        self.sprite_scale = self.to_out * max(zooms) * _NEAR_HEADROOM
        self.product: CutoutLayer | None = None
        if layers.sprite is not None:
            self.product = CutoutLayer(layers.sprite, self.sprite_scale)
        self.person = None
        if layers.person is not None:
            # The person's alpha is their mask, made at most MASK_SIDE pixels tall: it has
            # no detail at half the output size.
            soft = layers.blur[1] * self.to_out >= SOFT_SIGMA
            self.person = CutoutLayer(layers.person, self.to_out * max(zooms), True, soft)
        # A soft person over a soft background: both are composed at half size (luma
        # too) and the luma is upsampled once, before the sharp layers are drawn over it.
        self._soft_luma: NDArray[np.uint8] | None = None
        if self.person is not None and self.person.soft and self._soft_background:
            self._soft_luma = np.empty((out_size[1] // 2, out_size[0] // 2), np.uint8)
        self.lifted = layers.lifted
        self.product_box = layers.product_box
        self.captions = [self._caption(line) for line in layers.captions]
        self._build_card = layers.end_card
        self._card: list[WarpedPlane] | None = None
        self._card_frame = FrameBuffer(*out_size)

    def _caption(self, line: CaptionLine) -> tuple[int, int, tuple[PlaneLayer, ...]]:
        # Even coordinates keep the chroma planes aligned with the luma plane.
        x = 2 * round(line.x * self.to_out / 2)
        y = 2 * round(line.y * self.to_out / 2)
        return x, y, premultiplied_to_layers(_resized(line.rgba, self.to_out))

    def _depth_view(self, t: float, view: View, depth: float, push: float) -> View:
        # A layer at `depth` (1 = the person, below 1 farther, above 1 nearer) follows the
        # handheld drift in proportion, and the push-in by `push` more (or less) than the
        # person: what reads as parallax.
        dx, dy, _ = handheld(t, min(self.image_size))
        extra = depth - 1.0
        return View(
            view.cx + extra * dx / view.zoom,
            view.cy + extra * dy / view.zoom,
            view.zoom ** (1.0 + push),
            view.roll,
        )

    def _draw_background(
        self, view: View, frame: FrameBuffer, half_luma: NDArray[np.uint8] | None = None
    ) -> None:
        # A soft background looks the same sampled at any scale near 1: one level serves.
        _, (level, factors) = self.bg.at(
            self.bg_scale if self._soft_background else view.zoom * self.to_out
        )
        matrix = _camera_matrix(view, self.out_size, self.to_out) * factors
        if half_luma is not None and isinstance(level, SoftBackground):
            level.draw_half(matrix, frame, half_luma)
        else:
            level.draw(matrix, frame)

    def _product_to_image(self, t: float, view: View) -> Affine:
        """Output pixel -> image pixel for the product layer at time t."""
        assert self.product_box is not None
        # A held product stays in its hand: it drifts with the camera, but is not pushed
        # away from the palm behind it.
        push = _PUSH_PARALLAX * (0.25 if self.lifted else 0.8)
        near = self._depth_view(t, view, 1.0 + _PARALLAX, push)
        camera = _camera_matrix(near, self.out_size, self.to_out)
        pop = product_pop(t)
        lift_scale, lift_y = product_lift(t) if self.lifted else (1.0, 0.0)
        pop *= lift_scale
        centre = np.array([self.product_box.cx, self.product_box.cy])
        g = camera[:, :2] / pop
        offset = camera[:, 2] / pop + centre * (1 - 1 / pop)
        offset[1] -= lift_y * self.product_box.h / pop
        return np.hstack([g, offset[:, None]])

    def _draw_captions(self, t: float, frame: FrameBuffer) -> None:
        for index, (x, y, layers) in enumerate(self.captions):
            opacity = line_opacity(index, t)
            if opacity <= 0.004:
                continue
            # Lines rise a few pixels as they fade in.
            lift = 2 * round((1 - min(1.0, opacity)) * 0.012 * self.out_size[1] / 2)
            for layer, plane, div in zip(layers, frame.planes(), (1, 2, 2), strict=True):
                h, w = layer.alpha.shape
                top, left = (y + lift) // div, x // div
                region = plane[top : top + h, left : left + w]
                if region.shape != layer.alpha.shape:
                    continue
                colour, alpha = layer.colour, layer.alpha
                if opacity < 0.999:
                    colour = u8(cv2.convertScaleAbs(colour, alpha=opacity))
                    alpha = u8(cv2.convertScaleAbs(alpha, alpha=opacity))
                cv2.add(
                    cv2.multiply(region, cv2.bitwise_not(alpha), scale=1 / 255), colour, dst=region
                )

    def _draw_card(self, t: float, opacity: float, frame: FrameBuffer) -> None:
        # The card drifts in a little as it settles, so the last second is not a still.
        zoom = 1.0 + 0.035 * min(1.0, max(0.0, (t - 6.5) / 1.5))
        width, height = self.out_size
        matrix = np.array(
            [[1 / zoom, 0, width / 2 * (1 - 1 / zoom)], [0, 1 / zoom, height / 2 * (1 - 1 / zoom)]]
        )
        if self._card is None:
            self._card = [
                WarpedPlane(plane, cv2.BORDER_REFLECT)
                for plane in rgb_to_planes(self._build_card())
            ]
        # Once it is opaque the card is the whole frame: draw it there directly.
        card = frame if opacity >= 0.999 else self._card_frame
        half = half_matrix(matrix)
        for layer, plane, m in zip(self._card, card.planes(), (matrix, half, half), strict=True):
            layer.warp_into(m, plane)
        if card is not frame:
            cv2.addWeighted(frame.data, 1 - opacity, card.data, opacity, 0, dst=frame.data)

    def render(self, index: int, frame: FrameBuffer) -> None:
        """Draw frame `index` into `frame`."""
        t = index / FPS
        opacity = card_opacity(t)
        if opacity < 0.999:
            view = camera_at(t, self.shot, self.image_size)
            if self.person is None:
                self._draw_background(view, frame)
            else:
                far = self._depth_view(t, view, _FAR, -_PUSH_PARALLAX * (1 - _FAR))
                person = _camera_matrix(view, self.out_size, self.to_out)
                half = self._soft_luma
                self._draw_background(far, frame, half)
                self.person.draw(person, frame, self.out_size, half)
                if half is not None:
                    upsample_luma(half, frame.y)
            if self.product is not None:
                self.product.draw(self._product_to_image(t, view), frame, self.out_size)
            self._draw_captions(t, frame)
        if opacity > 0.001:
            self._draw_card(t, opacity, frame)

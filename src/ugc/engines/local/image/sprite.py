"""Turning the cut-out product into a lit, shadowed sprite that sits in the person's scene."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.staging import Placement
from ugc.engines.local.kit.arrays import f32, u8
from ugc.engines.local.kit.geometry import Box

# How far the product's colours move towards the scene's: enough to share its light,
# little enough that the label and brand colours stay the product's own.
_LIGHT_MATCH = 0.22
_COLOUR_MATCH = 0.12


@dataclass(frozen=True, slots=True)
class Sprite:
    """A premultiplied RGBA patch (product plus its shadow) and its top-left corner."""

    rgba: NDArray[np.uint8]
    x: int
    y: int

    @property
    def box(self) -> Box:
        """The patch's extent on the canvas."""
        return Box(self.x, self.y, self.rgba.shape[1], self.rgba.shape[0])


def _match_light(
    rgb: NDArray[np.uint8], alpha: NDArray[np.uint8], scene: NDArray[np.uint8]
) -> NDArray[np.uint8]:
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2Lab)
    solid = u8(alpha > 128)
    if not solid.any():
        return rgb
    scene_mean = np.array(cv2.mean(cv2.cvtColor(scene, cv2.COLOR_RGB2Lab))[:3], np.float32)
    shift = scene_mean - np.array(cv2.mean(lab, mask=solid)[:3], np.float32)
    shift *= np.array([_LIGHT_MATCH, _COLOUR_MATCH, _COLOUR_MATCH], np.float32)
    shift = np.clip(shift, [-14.0, -5.0, -5.0], [14.0, 5.0, 5.0]).astype(np.float32)
    # The shift is the same for every pixel, so it is a per-channel lookup table: one pass
    # over uint8 instead of a float copy of the whole product.
    levels = np.arange(256, dtype=np.float32)[:, None] + shift[None, :]
    table = np.clip(levels, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    return u8(cv2.cvtColor(cv2.LUT(lab, table), cv2.COLOR_Lab2RGB))


def soft_blur(image: NDArray[np.float32], sigma: float) -> NDArray[np.float32]:
    """A wide Gaussian blur computed at quarter size (the result is smooth anyway)."""
    height, width = image.shape[:2]
    factor = 4 if sigma >= 8 else 1
    small = (
        cv2.resize(
            image, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA
        )
        if factor > 1
        else image
    )
    blurred = cv2.GaussianBlur(small, (0, 0), sigma / factor)
    if factor > 1:
        blurred = cv2.resize(blurred, (width, height), interpolation=cv2.INTER_LINEAR)
    return np.asarray(blurred, dtype=np.float32)


def _light_wrap(
    premul: NDArray[np.float32],
    alpha: NDArray[np.float32],
    backdrop: NDArray[np.uint8],
    strength: float,
) -> None:
    # Scene light spilling over the product's rim: the classic trick that stops a cut-out
    # looking pasted on. Only the outermost pixels change; the label is untouched.
    # Works on premultiplied colour in place: mixing straight colour with the glow and
    # multiplying by alpha again is the same as this, without dividing by alpha first.
    size = max(3, round(0.012 * max(alpha.shape)) * 2 + 1)
    inner = cv2.erode(alpha, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    rim = np.clip(alpha - inner, 0, 1) * np.float32(strength)
    glow = soft_blur(f32(backdrop), size)
    keep = cv2.cvtColor(1 - rim, cv2.COLOR_GRAY2RGB)
    spill = cv2.cvtColor(rim * alpha, cv2.COLOR_GRAY2RGB)
    premul *= keep
    premul += glow * spill


def _shrink_straight(rgba: NDArray[np.uint8], size: tuple[int, int]) -> NDArray[np.uint8]:
    # Resample premultiplied so transparent pixels' colours do not bleed into the edge.
    alpha = rgba[:, :, 3:4].astype(np.float32) / 255
    premul = np.dstack([rgba[:, :, :3].astype(np.float32) * alpha, alpha[:, :, 0]])
    small = cv2.resize(premul, size, interpolation=cv2.INTER_AREA)
    a = small[:, :, 3:4]
    rgb = np.where(a > 1e-3, small[:, :, :3] / np.maximum(a, 1e-3), 0)
    return np.dstack([np.clip(rgb + 0.5, 0, 255), np.clip(a * 255 + 0.5, 0, 255)]).astype(np.uint8)


def _transform(
    box: Box, src_w: int, src_h: int, tilt: float, pad: int
) -> tuple[NDArray[np.float64], int, int]:
    scale = box.w / src_w
    rot = cv2.getRotationMatrix2D((src_w / 2, src_h / 2), tilt, scale)
    corners = np.array([[0, 0, 1], [src_w, 0, 1], [0, src_h, 1], [src_w, src_h, 1]], float)
    mapped = corners @ rot.T
    out_w = int(np.ceil(mapped[:, 0].max() - mapped[:, 0].min())) + 2 * pad
    out_h = int(np.ceil(mapped[:, 1].max() - mapped[:, 1].min())) + 2 * pad
    rot[0, 2] += pad - mapped[:, 0].min()
    rot[1, 2] += pad - mapped[:, 1].min()
    return np.asarray(rot, dtype=np.float64), out_w, out_h


def _shadow(alpha: NDArray[np.float32], height: float) -> NDArray[np.float32]:
    # A soft drop shadow plus a tight contact shadow: depth, and a sense of the hand
    # holding it close to the body.
    def offset_blur(dx: float, dy: float, sigma: float) -> NDArray[np.float32]:
        shifted = cv2.warpAffine(
            alpha, np.array([[1, 0, dx], [0, 1, dy]], np.float32), (alpha.shape[1], alpha.shape[0])
        )
        return soft_blur(f32(shifted), sigma)

    soft = offset_blur(0.025 * height, 0.05 * height, 0.035 * height) * 0.42
    tight = offset_blur(0.004 * height, 0.012 * height, 0.008 * height) * 0.3
    return 1 - (1 - soft) * (1 - tight)


def build_sprite(
    product: NDArray[np.uint8], placement: Placement, canvas: NDArray[np.uint8], wrap: bool
) -> Sprite:
    """Scale, tilt, light and shadow the straight-RGBA product for its place on the canvas."""
    box = placement.box
    if box.w < 0.9 * product.shape[1]:
        # Shrink first with area averaging: the warp alone would alias fine label print.
        size = (max(1, round(box.w)), max(1, round(box.w * product.shape[0] / product.shape[1])))
        product = _shrink_straight(product, size)
    src_h, src_w = product.shape[:2]
    pad = round(0.14 * box.h)
    matrix, out_w, out_h = _transform(box, src_w, src_h, placement.tilt_degrees, pad)
    x0, y0 = round(box.cx - out_w / 2), round(box.cy - out_h / 2)
    backdrop = _region(canvas, x0, y0, out_w, out_h)
    rgb = _match_light(np.ascontiguousarray(product[:, :, :3]), product[:, :, 3], backdrop)
    warped = _warp_premultiplied(rgb, product[:, :, 3], matrix, (out_w, out_h))
    a = np.clip(warped[:, :, 3], 0, 1)
    premul = np.ascontiguousarray(warped[:, :, :3])
    # No colour where there is (next to) no product; a multiply is cheaper than a mask.
    np.multiply(premul, (a > 1e-3)[:, :, None], out=premul)
    _side_light(premul, backdrop)
    if wrap:
        _light_wrap(premul, a, backdrop, 0.35)
    shadow = _shadow(a, box.h) * (1 - a)
    shade = np.array(cv2.mean(backdrop)[:3], np.float32) * np.float32(0.18)
    premul += cv2.cvtColor(shadow, cv2.COLOR_GRAY2RGB) * shade
    patch = cv2.merge([premul, (a + shadow) * np.float32(255)])
    return clip_sprite(Sprite(u8(np.clip(patch + np.float32(0.5), 0, 255)), x0, y0), canvas.shape)


def _region(canvas: NDArray[np.uint8], x0: int, y0: int, w: int, h: int) -> NDArray[np.uint8]:
    # The canvas under a patch that may hang over its edges (edges repeated beyond them).
    height, width = canvas.shape[:2]
    cx0, cy0 = min(max(x0, 0), width - 1), min(max(y0, 0), height - 1)
    cx1, cy1 = max(min(x0 + w, width), cx0 + 1), max(min(y0 + h, height), cy0 + 1)
    inner = canvas[cy0:cy1, cx0:cx1]
    top, left = cy0 - y0, cx0 - x0
    bottom, right = h - top - inner.shape[0], w - left - inner.shape[1]
    if top == left == bottom == right == 0:
        return inner
    return u8(
        cv2.copyMakeBorder(
            inner, max(0, top), max(0, bottom), max(0, left), max(0, right), cv2.BORDER_REPLICATE
        )[:h, :w]
    )


def clip_sprite(sprite: Sprite, shape: tuple[int, ...]) -> Sprite:
    """The part of a sprite that lies on a canvas of `shape` (which may be all of it)."""
    height, width = shape[:2]
    h, w = sprite.rgba.shape[:2]
    x0, y0 = max(0, sprite.x), max(0, sprite.y)
    x1, y1 = min(width, sprite.x + w), min(height, sprite.y + h)
    if (x0, y0, x1, y1) == (sprite.x, sprite.y, sprite.x + w, sprite.y + h):
        return sprite
    x1, y1 = max(x1, x0 + 1), max(y1, y0 + 1)
    crop = sprite.rgba[y0 - sprite.y : y1 - sprite.y, x0 - sprite.x : x1 - sprite.x]
    return Sprite(np.ascontiguousarray(crop), x0, y0)


def _side_light(premul: NDArray[np.float32], backdrop: NDArray[np.uint8]) -> None:
    # The person's light falls across the product too: the side of the backdrop that is
    # brighter lights that side of the product a little more (at most 6%).
    gray = cv2.cvtColor(backdrop, cv2.COLOR_RGB2GRAY).astype(np.float32)
    half = gray.shape[1] // 2
    if half < 2:
        return
    left, right = float(gray[:, :half].mean()), float(gray[:, half:].mean())
    slope = float(np.clip((right - left) / max(left + right, 1.0), -0.06, 0.06))
    ramp = np.linspace(1 - slope, 1 + slope, premul.shape[1], dtype=np.float32)
    premul *= ramp[None, :, None]


def _warp_premultiplied(
    rgb: NDArray[np.uint8],
    alpha_u8: NDArray[np.uint8],
    matrix: NDArray[np.float64],
    size: tuple[int, int],
) -> NDArray[np.float32]:
    # Warp premultiplied colour so the transparent surroundings cannot bleed into the edge.
    alpha = alpha_u8.astype(np.float32) * np.float32(1 / 255)
    premul = cv2.merge([rgb.astype(np.float32) * cv2.cvtColor(alpha, cv2.COLOR_GRAY2RGB), alpha])
    warped = cv2.warpAffine(premul, matrix, size, flags=cv2.INTER_CUBIC)
    return f32(np.clip(warped, 0, 255))


def composite(canvas: NDArray[np.uint8], sprite: Sprite) -> NDArray[np.uint8]:
    """Lay the premultiplied sprite over the canvas in place; returns the canvas."""
    h, w = sprite.rgba.shape[:2]
    region = canvas[sprite.y : sprite.y + h, sprite.x : sprite.x + w]
    # Integer maths: the sprite is already premultiplied, so only the canvas share needs
    # rounding, and adding a whole number after rounding equals rounding the sum.
    clear = cv2.cvtColor(255 - sprite.rgba[:, :, 3], cv2.COLOR_GRAY2RGB)
    kept = cv2.multiply(region, clear, scale=1 / 255)
    region[:] = cv2.add(cv2.cvtColor(sprite.rgba, cv2.COLOR_RGBA2RGB), kept)
    return canvas

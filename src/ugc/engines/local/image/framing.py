"""Framing the person photo for the aspect ratio: crop around the face, extend what is missing."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.kit.geometry import Box

# At most this share of the photo's longer side is cropped away to reach the target
# aspect; the rest of the difference is made up by extending the canvas. Cropping more
# would zoom far into small photos; extending more would leave big soft bands.
_MAX_CROP_LOSS = 0.4
# Where the face centre should sit in the frame (fraction of height): the upper third,
# clear of the top UI strip of social apps.
_FACE_LEVEL = 0.36
# Faces smaller than this share of the frame's height are zoomed in on (within the limit
# of how far a photo can be upscaled before it looks soft).
_MIN_FACE_SHARE = 0.14
_MAX_UPSCALE = 2.5


@dataclass(frozen=True, slots=True)
class FramedPhoto:
    """The person photo on the output canvas: pixels, face and where the real photo lies."""

    canvas: NDArray[np.uint8]
    face: Box | None
    photo: Box
    scale: float = 1.0  # photo pixels -> canvas pixels
    shift: tuple[float, float] = (0.0, 0.0)  # canvas = photo * scale + shift

    def frame_mask(self, mask: NDArray[np.float32]) -> NDArray[np.float32]:
        """A photo-sized 0..1 mask moved onto the canvas (zero beyond the real photo)."""
        height, width = self.canvas.shape[:2]
        matrix = np.array([[self.scale, 0, self.shift[0]], [0, self.scale, self.shift[1]]])
        flags = cv2.INTER_AREA if self.scale < 1 else cv2.INTER_LINEAR
        return np.asarray(cv2.warpAffine(mask, matrix, (width, height), flags=flags), np.float32)


def _needed_region(face: Box | None, width: int, height: int, hand: Box | None) -> Box:
    # The region the crop must keep: the face with room for hair, ears and chin, and the
    # hand that will hold the product (with room for the product around it).
    if face is None:
        return Box(width * 0.3, height * 0.25, width * 0.4, height * 0.4)
    grown = Box(face.x - 0.35 * face.w, face.y - 0.45 * face.h, face.w * 1.7, face.h * 2.0)
    if hand is not None:
        held = hand.grown(0.6, 0.8)
        x0, y0 = min(grown.x, held.x), min(grown.y, held.y)
        grown = Box(x0, y0, max(grown.right, held.right) - x0, max(grown.bottom, held.bottom) - y0)
    x0, y0 = max(0.0, grown.x), max(0.0, grown.y)
    return Box(x0, y0, min(float(width), grown.right) - x0, min(float(height), grown.bottom) - y0)


def _crop_size(width: int, height: int, target: float, keep: Box) -> tuple[float, float]:
    aspect = width / height
    if aspect > target:  # too wide: trim the sides, never past the face
        crop_w = max(height * max(target, aspect * (1 - _MAX_CROP_LOSS)), min(keep.w * 1.05, width))
        return crop_w, float(height)
    crop_h = max(width / min(target, aspect / (1 - _MAX_CROP_LOSS)), min(keep.h * 1.05, height))
    return float(width), crop_h


def _zoom_to_face(
    crop: tuple[float, float], face: Box | None, out_h: int, keep: Box
) -> tuple[float, float]:
    # A face lost in a wide shot is not UGC: zoom in until it is a readable size, as far
    # as the photo's resolution allows (at most 2.5x upscaling).
    crop_w, crop_h = crop
    if face is None:
        return crop
    factor = min(1.0, face.h / _MIN_FACE_SHARE / crop_h)
    factor = max(factor, out_h / _MAX_UPSCALE / crop_h, keep.w / crop_w, keep.h / crop_h)
    factor = min(factor, 1.0)
    return crop_w * factor, crop_h * factor


def _crop_window(
    width: int,
    height: int,
    size: tuple[int, int],
    keep: Box,
    focus: tuple[float, float],
    face: Box | None,
) -> Box:
    crop = _crop_size(width, height, size[0] / size[1], keep)
    crop_w, crop_h = _zoom_to_face(crop, face, size[1], keep)
    x = min(max(focus[0] - crop_w / 2, keep.right - crop_w, 0.0), keep.x, width - crop_w)
    y = focus[1] - crop_h * _FACE_LEVEL
    y = min(max(y, keep.bottom - crop_h, 0.0), keep.y, height - crop_h)
    return Box(max(0.0, x), max(0.0, y), crop_w, crop_h)


def _extended_backdrop(
    photo: NDArray[np.uint8], placed: Box, size: tuple[int, int]
) -> NDArray[np.uint8]:
    # A soft continuation of the photo's own edges: reflected, heavily blurred and
    # slightly darkened, like a shallow-focus background beyond the photo.
    width, height = size
    factor = 16
    small = cv2.resize(
        photo,
        (max(2, photo.shape[1] // factor), max(2, photo.shape[0] // factor)),
        interpolation=cv2.INTER_AREA,
    )
    sx, sy = small.shape[1] / placed.w, small.shape[0] / placed.h
    left, top = round(placed.x * sx), round(placed.y * sy)
    right = max(0, round(width * sx) - left - small.shape[1])
    bottom = max(0, round(height * sy) - top - small.shape[0])
    padded = cv2.copyMakeBorder(small, top, bottom, left, right, cv2.BORDER_REFLECT_101)
    padded = cv2.GaussianBlur(padded, (0, 0), 2.5)
    backdrop = cv2.resize(padded, (width, height), interpolation=cv2.INTER_CUBIC)
    return u8(cv2.convertScaleAbs(backdrop, alpha=0.9, beta=4))


def _blend_seams(
    canvas: NDArray[np.uint8], photo: NDArray[np.uint8], placed: Box, feather: int
) -> None:
    # Paste the photo, then fade its edges that border an extension band into the band, so
    # the photo melts into its soft continuation instead of ending on a hard line.
    x0, y0 = int(placed.x), int(placed.y)
    ph, pw = photo.shape[:2]
    backdrop = canvas[y0 : y0 + ph, x0 : x0 + pw].copy()
    canvas[y0 : y0 + ph, x0 : x0 + pw] = photo
    ramp = (np.arange(feather, dtype=np.float32) + 0.5) / feather
    edges: list[tuple[tuple[slice, slice], NDArray[np.floating]]] = []
    if y0 > 0:
        edges.append((np.s_[:feather, :], ramp[:, None, None]))
    if y0 + ph < canvas.shape[0]:
        edges.append((np.s_[ph - feather :, :], ramp[::-1, None, None]))
    if x0 > 0:
        edges.append((np.s_[:, :feather], ramp[None, :, None]))
    if x0 + pw < canvas.shape[1]:
        edges.append((np.s_[:, pw - feather :], ramp[None, ::-1, None]))
    view = canvas[y0 : y0 + ph, x0 : x0 + pw]
    for strip, weight in edges:
        mixed = view[strip] * weight + backdrop[strip] * (1 - weight)
        view[strip] = mixed.astype(np.uint8)


def _resize(image: NDArray[np.uint8], width: int, height: int) -> NDArray[np.uint8]:
    upscale = width > image.shape[1]
    resized = cv2.resize(
        image, (width, height), interpolation=cv2.INTER_CUBIC if upscale else cv2.INTER_AREA
    )
    if width > 1.4 * image.shape[1]:
        # Upscaled photos look soft; a gentle unsharp mask brings back phone-like crispness.
        blurred = cv2.GaussianBlur(resized, (0, 0), 1.6)
        resized = cv2.addWeighted(resized, 1.5, blurred, -0.5, 0)
    return u8(resized)


def _placement(window: Box, size: tuple[int, int], face: Box | None) -> Box:
    width, height = size
    scale = min(width / window.w, height / window.h)
    placed_w, placed_h = window.w * scale, window.h * scale
    x, y = (width - placed_w) / 2, (height - placed_h) / 2
    if face is not None and placed_h < height - 1:
        y = height * _FACE_LEVEL - (face.cy - window.y) * scale
        y = min(max(y, 0.0), height - placed_h)
    if face is not None and placed_w < width - 1:
        x = width / 2 - (face.cx - window.x) * scale
        x = min(max(x, 0.0), width - placed_w)
    return Box(round(x), round(y), round(placed_w), round(placed_h))


def frame_person(
    rgb: NDArray[np.uint8], face: Box | None, size: tuple[int, int], hand: Box | None = None
) -> FramedPhoto:
    """Fit the person photo to `size`, keeping the face (and the hand) whole and well placed."""
    width, height = size
    src_h, src_w = rgb.shape[:2]
    keep = _needed_region(face, src_w, src_h, hand)
    focus = (face.cx, face.cy) if face is not None else (src_w / 2, src_h * 0.4)
    window = _crop_window(src_w, src_h, size, keep, focus, face)
    crop = rgb[round(window.y) : round(window.bottom), round(window.x) : round(window.right)]
    placed = _placement(window, size, face)
    photo = _resize(np.ascontiguousarray(crop), int(placed.w), int(placed.h))
    scale = placed.w / crop.shape[1]
    face_out = (
        None
        if face is None
        else face.moved(-window.x, -window.y).scaled(scale).moved(placed.x, placed.y)
    )
    shift = (placed.x - round(window.x) * scale, placed.y - round(window.y) * scale)
    if placed.w >= width and placed.h >= height:
        return FramedPhoto(photo[:height, :width], face_out, Box(0, 0, width, height), scale, shift)
    canvas = _extended_backdrop(photo, placed, size)
    _blend_seams(canvas, photo, placed, max(8, round(0.04 * max(size))))
    return FramedPhoto(canvas, face_out, placed, scale, shift)

"""The end card: the product on a soft backdrop of the ad itself, its name and a tagline."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from ugc.engines.local.image.card import rounded_mask
from ugc.engines.local.kit.caption import wrap_text
from ugc.engines.local.kit.fonts import load_font
from ugc.engines.local.kit.geometry import Box

_MAX_TAGLINE = 90


def tagline_text(description: str, prompt: str) -> str:
    """The first sentence of the description (or a short prompt), if short enough."""
    for source in (description, prompt):
        text = " ".join(source.split())
        first = text.split(". ")[0].rstrip(".")
        if first and len(first) <= _MAX_TAGLINE:
            return first
    return ""


def _backdrop(
    image: NDArray[np.uint8], size: tuple[int, int], accent: tuple[int, int, int]
) -> NDArray[np.uint8]:
    width, height = size
    small = cv2.resize(
        image, (max(4, width // 24), max(4, height // 24)), interpolation=cv2.INTER_AREA
    )
    # Dimmed and tinted while small (the upscale is linear): no full-size float copies.
    soft = cv2.GaussianBlur(small, (0, 0), 2.0).astype(np.float32)
    tint = np.array(accent, np.float32) * 0.18
    dim = np.clip(soft * 0.42 + tint + 0.5, 0, 255).astype(np.uint8)
    return np.asarray(cv2.resize(dim, (width, height), interpolation=cv2.INTER_CUBIC), np.uint8)


def _fit(shape: tuple[int, ...], room: Box) -> Box:
    height, width = shape[:2]
    scale = min(room.w / width, room.h / height)
    return Box(
        room.cx - width * scale / 2, room.cy - height * scale / 2, width * scale, height * scale
    )


def _paste_premultiplied(canvas: NDArray[np.uint8], rgba: NDArray[np.uint8], box: Box) -> None:
    size = (max(1, round(box.w)), max(1, round(box.h)))
    patch = cv2.resize(rgba, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    x, y = round(box.x), round(box.y)
    region = canvas[y : y + size[1], x : x + size[0]]
    patch = patch[: region.shape[0], : region.shape[1]]
    alpha = patch[:, :, 3:4] / 255
    region[:] = np.clip(patch[:, :, :3] + region * (1 - alpha) + 0.5, 0, 255)


def _hero(product: NDArray[np.uint8] | None, image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    if product is not None:
        return product
    # No layers (a flat image from another engine): the ad itself, as a rounded card.
    height, width = image.shape[:2]
    alpha = rounded_mask(width, height, 0.05 * min(width, height))
    a = alpha.astype(np.float32)[:, :, None] / 255
    return np.dstack([image * a, alpha]).astype(np.uint8)


def _rooms(width: int, height: int) -> tuple[Box, Box]:
    if width > height * 1.2:  # landscape: product left, words right
        return (
            Box(0.08 * width, 0.14 * height, 0.4 * width, 0.72 * height),
            Box(0.54 * width, 0.2 * height, 0.4 * width, 0.6 * height),
        )
    top = 0.12 if height > width * 1.2 else 0.08
    return (
        Box(0.19 * width, top * height, 0.62 * width, (0.58 - top) * height),
        Box(0.1 * width, 0.62 * height, 0.8 * width, 0.26 * height),
    )


def _words(
    canvas: NDArray[np.uint8], room: Box, name: str, tagline: str, accent: tuple[int, int, int]
) -> None:
    image = Image.fromarray(canvas)
    draw = ImageDraw.Draw(image)
    unit = min(canvas.shape[:2])
    title_font = load_font(round(0.085 * unit))
    body_font = load_font(round(0.042 * unit), bold=False)
    centred = room.x > 0.3 * canvas.shape[1] and canvas.shape[1] > canvas.shape[0] * 1.2
    anchor_x = room.x if centred else room.cx
    y = room.y
    for line in wrap_text(name, title_font, room.w, 2):
        draw.text(
            (anchor_x, y),
            line,
            font=title_font,
            fill=(255, 255, 255),
            anchor="la" if centred else "ma",
        )
        y += round(0.1 * unit)
    bar_w, bar_h = round(0.14 * unit), max(3, round(0.009 * unit))
    bar_x = anchor_x if centred else anchor_x - bar_w / 2
    bright = accent if sum(accent) > 200 else (255, 255, 255)
    draw.rounded_rectangle(
        (bar_x, y + 0.02 * unit, bar_x + bar_w, y + 0.02 * unit + bar_h),
        radius=bar_h // 2,
        fill=bright,
    )
    y += round(0.06 * unit)
    for line in wrap_text(tagline, body_font, room.w, 2):
        draw.text(
            (anchor_x, y),
            line,
            font=body_font,
            fill=(236, 236, 236),
            anchor="la" if centred else "ma",
        )
        y += round(0.055 * unit)
    canvas[:] = np.asarray(image)


def build_end_card(
    image: NDArray[np.uint8],
    product: NDArray[np.uint8] | None,
    size: tuple[int, int],
    name: str,
    tagline: str,
    accent: tuple[int, int, int],
) -> NDArray[np.uint8]:
    """The end card as an RGB frame of `size`; product is a premultiplied RGBA sprite."""
    width, height = size
    canvas = _backdrop(image, size, accent)
    hero_room, text_room = _rooms(width, height)
    hero = _hero(product, image)
    _paste_premultiplied(canvas, hero, _fit(hero.shape, hero_room))
    _words(canvas, text_room, name, tagline, accent)
    return canvas

"""The on-image caption: text chosen from the brief, set as social-app style line pills."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from ugc.engines.local.fonts import Font, load_font
from ugc.engines.local.geometry import Box

_MAX_PROMPT_CAPTION = 70
_MAX_LINES = 3
_HOOKS = (
    "{name} is my new everyday favourite",
    "ok, {name} is actually worth the hype",
    "can't stop reaching for {name}",
    "found it: {name}",
)
_INK = (17, 17, 17, 255)
_PILL = (255, 255, 255, 238)


@dataclass(frozen=True, slots=True)
class CaptionLine:
    """One caption line: a premultiplied RGBA patch and its top-left corner on the canvas."""

    rgba: NDArray[np.uint8]
    x: int
    y: int


def caption_text(product_name: str, prompt: str) -> str:
    """The caption: a short prompt as written, else a hook built around the product name."""
    prompt = " ".join(prompt.split())
    if prompt and len(prompt) <= _MAX_PROMPT_CAPTION:
        return prompt
    name = " ".join(product_name.split())
    if not name:
        return ""
    # A stable choice: the same product always gets the same hook (determinism).
    return _HOOKS[zlib.crc32(name.encode()) % len(_HOOKS)].format(name=name)


def wrap_text(text: str, font: Font, max_width: float, max_lines: int = _MAX_LINES) -> list[str]:
    """Greedy word wrap to max_width pixels, ending with an ellipsis past max_lines."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(lines[-1] + " " + word) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip(".,;:") + "…"
    return lines


def balanced_wrap(
    text: str, font: Font, max_width: float, max_lines: int = _MAX_LINES
) -> list[str]:
    """Wrap into as few lines as wrap_text, but with even lengths (no one-word orphan)."""
    lines = wrap_text(text, font, max_width, max_lines)
    low, high = 0.3 * max_width, max_width
    for _ in range(8):
        middle = (low + high) / 2
        if len(wrap_text(text, font, middle, max_lines)) == len(lines) and not wrap_text(
            text, font, middle, max_lines
        )[-1].endswith("…"):
            high = middle
        else:
            low = middle
    return wrap_text(text, font, high, max_lines)


def _premultiply(image: Image.Image) -> NDArray[np.uint8]:
    rgba = np.asarray(image, dtype=np.float32)
    alpha = rgba[:, :, 3:4] / 255
    return np.dstack([rgba[:, :, :3] * alpha, rgba[:, :, 3:4]]).round().astype(np.uint8)


def render_pill(text: str, font: Font, size: int) -> NDArray[np.uint8]:
    """One line of dark text on a rounded white pill, premultiplied RGBA."""
    left, _, right, _ = font.getbbox(text)
    pad_x, pad_y = round(0.42 * size), round(0.24 * size)
    width = int(right - left) + 2 * pad_x
    height = round(size * 1.12) + 2 * pad_y
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=round(0.32 * size), fill=_PILL)
    draw.text((pad_x - left, height / 2), text, font=font, fill=_INK, anchor="lm")
    return _premultiply(image)


def _block_candidates(width: int, height: int, block_w: int, block_h: int) -> list[Box]:
    portrait = height > width
    top = 0.11 if portrait else 0.07
    # Above the bottom ~22% that social apps cover with their own captions and buttons.
    bottom = (0.76 if portrait else 0.92) * height - block_h
    centre_x = (width - block_w) / 2
    boxes = [Box(centre_x, top * height, block_w, block_h), Box(centre_x, bottom, block_w, block_h)]
    if not portrait:
        boxes += [
            Box(0.06 * width, top * height, block_w, block_h),
            Box(0.94 * width - block_w, top * height, block_w, block_h),
        ]
    return boxes


def layout_caption(text: str, size: tuple[int, int], avoid: list[Box]) -> list[CaptionLine]:
    """Set the caption as line pills in the free band that covers the least of `avoid`."""
    width, height = size
    if not text:
        return []
    font_size = round(0.048 * min(width, height))
    font = load_font(font_size)
    max_width = (0.74 if height >= width else 0.36) * width
    pills = [render_pill(line, font, font_size) for line in balanced_wrap(text, font, max_width)]
    step = round(pills[0].shape[0] * 0.86)  # pills overlap a little, like app captions
    block_w = max(p.shape[1] for p in pills)
    block_h = step * (len(pills) - 1) + pills[0].shape[0]
    candidates = _block_candidates(width, height, block_w, block_h)
    weights = [3.0] + [1.0] * (len(avoid) - 1)
    block = min(
        candidates,
        key=lambda b: sum(w * b.intersection(a) for w, a in zip(weights, avoid, strict=True)),
    )
    return [
        CaptionLine(p, round(block.cx - p.shape[1] / 2), round(block.y) + i * step)
        for i, p in enumerate(pills)
    ]

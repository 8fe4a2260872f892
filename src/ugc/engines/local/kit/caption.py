"""The on-image caption: text chosen from the brief, set as social-app style line pills."""

from __future__ import annotations

import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw

from ugc.engines.local.kit.fonts import Font, load_font
from ugc.engines.local.kit.geometry import Box

_MAX_PROMPT_CAPTION = 70
_MAX_LINES = 3
# More stacked accents than any language writes on one letter: the rest is "Zalgo" text,
# whose marks would tower over the pill and the lines around it.
_MAX_MARKS = 2
_HOOKS = (
    "{name} is my new everyday favourite",
    "ok, {name} is actually worth the hype",
    "can't stop reaching for {name}",
    "found it: {name}",
)
_INK = (17, 17, 17, 255)
_PILL = (255, 255, 255, 238)
# The 9:16 safe zone that TikTok, Reels and Shorts leave free of their own buttons and
# captions: clear of the top 12%, the bottom 20% and the right 15% of the frame.
SAFE_TOP, SAFE_BOTTOM, SAFE_RIGHT = 0.12, 0.20, 0.15
_SAFE_LEFT = 0.04


@dataclass(frozen=True, slots=True)
class CaptionLine:
    """One caption line: a premultiplied RGBA patch and its top-left corner on the canvas."""

    rgba: NDArray[np.uint8]
    x: int
    y: int


def tame_text(text: str) -> str:
    """Text safe to set: control characters dropped, at most two accents on one letter."""
    out: list[str] = []
    marks = 0
    for char in unicodedata.normalize("NFC", text):
        if unicodedata.combining(char):
            marks += 1
            if marks > _MAX_MARKS or not out:
                continue
        elif unicodedata.category(char)[0] == "C":
            char, marks = " ", 0
        else:
            marks = 0
        out.append(char)
    return " ".join("".join(out).split())


def caption_text(product_name: str, prompt: str) -> str:
    """The caption: a short prompt as written, else a hook built around the product name."""
    prompt = tame_text(prompt)
    if prompt and len(prompt) <= _MAX_PROMPT_CAPTION:
        return prompt
    name = tame_text(product_name)
    if not name:
        return ""
    # A stable choice: the same product always gets the same hook (determinism).
    return _HOOKS[zlib.crc32(name.encode()) % len(_HOOKS)].format(name=name)


def _graphemes(word: str) -> list[str]:
    # A letter and the accents on it stay together when a word has to be broken.
    clusters: list[str] = []
    for char in word:
        if clusters and unicodedata.combining(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _break_word(word: str, font: Font, max_width: float) -> list[str]:
    # A word wider than the line (a URL, "WWWW...") is cut where it must, like a browser
    # does with overflow-wrap: anywhere.
    pieces = [""]
    for cluster in _graphemes(word):
        if pieces[-1] and font.getlength(pieces[-1] + cluster) > max_width:
            pieces.append(cluster)
        else:
            pieces[-1] += cluster
    return pieces


def wrap_text(text: str, font: Font, max_width: float, max_lines: int = _MAX_LINES) -> list[str]:
    """Greedy word wrap to max_width pixels, ending with an ellipsis past max_lines.

    Every line fits max_width, however long a word is: overlong words are broken.
    """
    lines: list[str] = []
    for word in tame_text(text).split():
        if lines and font.getlength(lines[-1] + " " + word) <= max_width:
            lines[-1] += " " + word
        elif font.getlength(word) <= max_width:
            lines.append(word)
        else:
            lines.extend(_break_word(word, font, max_width))
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1].rstrip(".,;:")
        while last and font.getlength(last + "…") > max_width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines


def balanced_wrap(
    text: str, font: Font, max_width: float, max_lines: int = _MAX_LINES
) -> list[str]:
    """Wrap into as few lines as wrap_text, but with even lengths (no one-word orphan)."""
    lines = wrap_text(text, font, max_width, max_lines)
    low, high = 0.3 * max_width, max_width
    for _ in range(8):
        middle = (low + high) / 2
        trial = wrap_text(text, font, middle, max_lines)
        if len(trial) == len(lines) and not trial[-1].endswith("…"):
            high = middle
        else:
            low = middle
    return wrap_text(text, font, high, max_lines)


def _premultiply(image: Image.Image) -> NDArray[np.uint8]:
    rgba = np.asarray(image, dtype=np.float32)
    alpha = rgba[:, :, 3:4] / 255
    return np.dstack([rgba[:, :, :3] * alpha, rgba[:, :, 3:4]]).round().astype(np.uint8)


def _pill_size(text: str, font: Font, size: int) -> tuple[int, int]:
    left, _, right, _ = font.getbbox(text)
    return int(right - left) + 2 * round(0.42 * size), round(size * 1.12) + 2 * round(0.24 * size)


def render_pill(text: str, font: Font, size: int) -> NDArray[np.uint8]:
    """One line of dark text on a rounded white pill, premultiplied RGBA."""
    left = font.getbbox(text)[0]
    pad_x = round(0.42 * size)
    width, height = _pill_size(text, font, size)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=round(0.32 * size), fill=_PILL)
    draw.text((pad_x - left, height / 2), text, font=font, fill=_INK, anchor="lm")
    return _premultiply(image)


def safe_area(size: tuple[int, int]) -> Box:
    """Where captions may go: inside the social apps' safe zone, with a small left margin."""
    width, height = size
    return Box(
        _SAFE_LEFT * width,
        SAFE_TOP * height,
        (1 - SAFE_RIGHT - _SAFE_LEFT) * width,
        (1 - SAFE_TOP - SAFE_BOTTOM) * height,
    )


@dataclass(frozen=True, slots=True)
class _Setting:
    lines: list[str]
    font: Font
    font_size: int
    pill_sizes: list[tuple[int, int]]
    step: int

    @property
    def block(self) -> tuple[int, int]:
        return (
            max(w for w, _ in self.pill_sizes),
            self.step * (len(self.lines) - 1) + self.pill_sizes[0][1],
        )


def _settings(text: str, size: tuple[int, int], safe: Box) -> list[_Setting]:
    # Largest first: a smaller or narrower block is only used when it keeps the caption
    # off the face, the hands and the product.
    out = []
    for font_scale in (1.0, 0.85, 0.72):
        font_size = max(10, round(0.048 * min(size) * font_scale))
        font = load_font(font_size)
        pad = 2 * round(0.42 * font_size)
        full = min(safe.w, (0.74 if size[1] >= size[0] else 0.36) * size[0])
        for share in (1.0, 0.62):
            lines = balanced_wrap(text, font, max(font_size * 2.0, full * share - pad))
            sizes = [_pill_size(line, font, font_size) for line in lines]
            out.append(_Setting(lines, font, font_size, sizes, round(sizes[0][1] * 0.86)))
    return out


def _positions(safe: Box, block_w: int, block_h: int) -> list[Box]:
    # The preferred bands first (under the top strip, then above the bottom strip), then
    # every other height in the safe zone; centred, then against either side.
    xs = [safe.cx - block_w / 2, safe.x, safe.right - block_w]
    room = max(0.0, safe.h - block_h)
    levels = [0.0, 1.0] + [i / 12 for i in range(1, 12)]
    return [
        Box(max(safe.x, x), safe.y + room * level, block_w, block_h) for level in levels for x in xs
    ]


def _covered(block: Box, avoid: list[Box]) -> float:
    return sum(block.intersection(a) for a in avoid)


def layout_caption(text: str, size: tuple[int, int], avoid: list[Box]) -> list[CaptionLine]:
    """Set the caption as line pills inside the safe zone, clear of every box in `avoid`.

    When no placement is fully clear (a face filling the frame), the one covering the least
    of `avoid` wins. Lines always lie inside the frame, whatever the text.
    """
    text = tame_text(text)
    if not text:
        return []
    safe = safe_area(size)
    best: tuple[float, _Setting, Box] | None = None
    settings = _settings(text, size, safe)
    for setting in settings:
        block_w, block_h = setting.block
        # A cut-short caption ("…") is worse than one that touches what it should avoid.
        cut = setting.lines[-1].endswith("…") and setting is not settings[0]
        for block in _positions(safe, block_w, block_h):
            cost = _covered(block, avoid) + (block_w * block_h * 4.0 if cut else 0.0)
            if best is None or cost < best[0]:
                best = (cost, setting, block)
        if best is not None and best[0] == 0:
            break
    assert best is not None
    _, setting, block = best
    width, height = size
    lines = []
    for i, line in enumerate(setting.lines):
        pill = render_pill(line, setting.font, setting.font_size)
        x = min(max(0, round(block.cx - pill.shape[1] / 2)), max(0, width - pill.shape[1]))
        y = min(max(0, round(block.y) + i * setting.step), max(0, height - pill.shape[0]))
        lines.append(CaptionLine(pill[:height, :width], x, y))
    return lines

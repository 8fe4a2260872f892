"""Captions: they always fit, stay in the social apps' safe zone and off what matters."""

from __future__ import annotations

from typing import Any

import pytest

from ugc.engines.base import IMAGE_SIZES, AspectRatio
from ugc.engines.local.kit.caption import (
    CaptionLine,
    caption_text,
    layout_caption,
    safe_area,
    tame_text,
    wrap_text,
)
from ugc.engines.local.kit.fonts import load_font
from ugc.engines.local.kit.geometry import Box

ZALGO = "Z" + "\u0336\u0335\u0334\u0337" * 6 + "algo" + "\u0301\u0300\u0302" * 8 + " Serum"
HOSTILE = {
    "url": "https://example.com/products/glow-serum?utm_source=tiktok&utm_campaign=launch",
    "ws": "W" * 40,
    "zalgo": ZALGO,
    "one-glyph-word": "\u2588" * 300,
    "control": "glow\x00serum\x07 \u202etxet",
}


def _box(line: CaptionLine) -> Box:
    return Box(line.x, line.y, line.rgba.shape[1], line.rgba.shape[0])


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
@pytest.mark.parametrize("text", list(HOSTILE))
def test_hostile_text_always_fits_the_safe_zone(text: str, aspect: AspectRatio) -> None:
    size = IMAGE_SIZES[aspect]
    lines = layout_caption(caption_text("Glow", HOSTILE[text]), size, [])
    assert lines, "a caption is set"
    safe = safe_area(size)
    for line in lines:
        box = _box(line)
        assert box.x >= safe.x - 1 and box.right <= safe.right + 1, "inside the safe width"
        assert box.y >= safe.y - 1 and box.bottom <= safe.bottom + 1, "inside the safe height"
        assert line.rgba[:, :, 3].max() == 255


def test_long_word_in_the_prompt_through_the_engine(kit: Any) -> None:
    image = kit.compose("astronaut", "serum", "9:16", prompt="W" * 40)
    assert kit.decode(image.png).shape == (1920, 1080, 3)


def test_words_longer_than_the_line_are_broken_to_fit() -> None:
    font = load_font(52)
    lines = wrap_text("see " + "W" * 40 + " now", font, 400, max_lines=10)
    assert all(font.getlength(line) <= 400 for line in lines)
    assert "".join(lines).replace(" ", "") == "see" + "W" * 40 + "now"


def test_ellipsis_line_fits_too() -> None:
    font = load_font(52)
    lines = wrap_text("W" * 200, font, 300, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 300 for line in lines)


def test_tame_text_limits_accents_and_drops_controls() -> None:
    tamed = tame_text(ZALGO)
    assert tamed.startswith("Z") and tamed.endswith(" Serum")
    assert len(tamed) <= len("Zalgo Serum") + 4
    assert tame_text("crème brûlée") == "crème brûlée"
    assert tame_text("Pho\u031b\u0309 bo") == "Phở bo"  # two marks on a letter are real
    assert "\x00" not in tame_text(HOSTILE["control"])


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_caption_avoids_face_hand_and_product(aspect: AspectRatio) -> None:
    width, height = IMAGE_SIZES[aspect]
    face = Box(0.3 * width, 0.1 * height, 0.4 * width, 0.3 * height)
    hand = Box(0.55 * width, 0.55 * height, 0.2 * width, 0.12 * height)
    product = Box(0.55 * width, 0.42 * height, 0.2 * width, 0.25 * height)
    lines = layout_caption(
        "my new everyday favourite, honestly", (width, height), [face, hand, product]
    )
    for line in lines:
        for keep_clear in (face, hand, product):
            assert _box(line).intersection(keep_clear) == 0


def test_when_nothing_is_clear_the_least_covered_place_wins() -> None:
    size = IMAGE_SIZES["9:16"]
    everything = Box(0, 0, size[0], 0.7 * size[1])
    lines = layout_caption("a caption with nowhere clear to go", size, [everything])
    assert lines and all(_box(line).y >= 0.7 * size[1] - 1 for line in lines)

"""The prompts sent to Google, snapshotted: a change to any of them shows up in review."""

from __future__ import annotations

from pathlib import Path

from ugc.engines.google.prompts import image_prompt, video_prompt

SNAPSHOT = Path(__file__).with_name("prompts.snapshot.txt")


def rendered() -> str:
    """Every prompt variant, as sent, one after another."""
    brief = ("Aqua Bottle", "Steel, keeps water cold for 24 hours", "morning gym vibe")
    variants = {
        "image": image_prompt(*brief),
        "image, after drift": image_prompt(*brief, emphasis=1),
        "image, name only": image_prompt("Aqua Bottle", "", ""),
        "video, speaking": video_prompt(*brief),
        "video, no dialogue, after drift": video_prompt(*brief, speech=False, emphasis=1),
    }
    return "".join(f"=== {name} ===\n{text}\n\n" for name, text in variants.items())


def test_prompts_match_the_snapshot() -> None:
    # To accept a deliberate change: write rendered() to the snapshot file and review the diff.
    assert rendered() == SNAPSHOT.read_text()


def test_prompts_keep_the_seed_intent() -> None:
    image = image_prompt("Aqua Bottle", "", "")
    for words in (
        "first image is the person",
        "second image is the product",
        "naturally",
        "lighting, shadows, scale and perspective",
        "exactly as in its photo",
    ):
        assert words in image
    video = video_prompt("Aqua Bottle", "", "")
    for words in (
        "handheld smartphone",
        "presents the product",
        "speaks naturally",
        "No on-screen text",
    ):
        assert words in video
    assert "No dialogue" in video_prompt("Aqua Bottle", "", "", speech=False)

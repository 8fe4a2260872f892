"""The local image engine on packaged photos and synthetic edge cases."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from ugc.config import Settings
from ugc.engines.base import IMAGE_SIZES, EngineRejected, GeneratedImage, ImageRequest
from ugc.engines.local.image.engine import LocalImageEngine
from ugc.engines.local.image.faces import find_face
from ugc.engines.local.image.scene import Scene, unpack_scene
from ugc.engines.local.kit.geometry import Box

CASES = {
    # id: (person, product, aspect)
    "astronaut-coffee-9x16": ("astronaut", "coffee", "9:16"),
    "astronaut-serum-16x9": ("astronaut", "serum", "16:9"),
    "astronaut-logo-1x1": ("astronaut", "logo", "1:1"),
    "astronaut-full-bleed-9x16": ("astronaut", "full_bleed", "9:16"),
    "no-face-serum-9x16": ("no_face", "serum", "9:16"),
    "tiny-face-serum-16x9": ("tiny_face", "serum", "16:9"),
    "landscape-coffee-9x16": ("landscape", "coffee", "9:16"),
}


@pytest.fixture(scope="module")
def outputs(
    kit: Any, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[GeneratedImage, Scene]]:
    """Every case composed once for the whole run."""

    def compose_all() -> dict[str, GeneratedImage]:
        return {case: kit.compose(*spec) for case, spec in CASES.items()}

    results = {}
    for case, image in kit.shared_once(tmp_path_factory, "image-cases", compose_all).items():
        assert image.scene is not None
        results[case] = (image, unpack_scene(image.scene))
    return results


@pytest.mark.parametrize("case", list(CASES))
def test_size_and_ratio(
    case: str, kit: Any, outputs: dict[str, tuple[GeneratedImage, Scene]]
) -> None:
    image, scene = outputs[case]
    width, height = IMAGE_SIZES[CASES[case][2]]  # type: ignore[index]
    assert image.png.startswith(b"\x89PNG")
    assert kit.decode(image.png).shape == (height, width, 3)
    assert scene.size == (width, height)
    assert image.scene is not None and len(image.scene) < 3_000_000


@pytest.mark.parametrize("case", list(CASES))
def test_product_is_recognisable(
    case: str, kit: Any, outputs: dict[str, tuple[GeneratedImage, Scene]]
) -> None:
    product = kit.photos[CASES[case][1]]()
    matches = kit.product_matches(product, kit.decode(outputs[case][0].png))
    assert matches >= 15, f"only {matches} consistent feature matches with the product photo"


@pytest.mark.parametrize("case", list(CASES))
def test_product_scale_is_believable(
    case: str, outputs: dict[str, tuple[GeneratedImage, Scene]]
) -> None:
    _, scene = outputs[case]
    share = scene.product_box.area / (scene.size[0] * scene.size[1])
    assert 0.03 <= share <= 0.45
    frame = Box(0, 0, *scene.size)
    # A product raised into shot may leave through the bottom edge, never through the others.
    assert scene.product_box.intersection(frame) >= 0.85 * scene.product_box.area
    assert scene.product_box.x >= 0 and scene.product_box.right <= scene.size[0]
    assert scene.product_box.y >= 0


@pytest.mark.parametrize("case", [c for c in CASES if not c.startswith("no-face")])
def test_face_is_visible_and_uncovered(
    case: str, kit: Any, outputs: dict[str, tuple[GeneratedImage, Scene]]
) -> None:
    image, scene = outputs[case]
    assert scene.face is not None
    width, height = scene.size
    assert scene.face.x >= 0 and scene.face.y >= 0
    assert scene.face.right <= width and scene.face.bottom <= height
    assert scene.product_box.intersection(scene.face) == 0
    for line in scene.captions:
        box = Box(line.x, line.y, line.rgba.shape[1], line.rgba.shape[0])
        assert box.intersection(scene.face) == 0, "the caption covers the face"
    found = find_face(kit.decode(image.png))
    assert found is not None, "the face is no longer detectable in the ad"
    assert found.intersection(scene.face) > 0.4 * scene.face.area


def test_no_face_photo_still_makes_an_ad(outputs: dict[str, tuple[GeneratedImage, Scene]]) -> None:
    _, scene = outputs["no-face-serum-9x16"]
    assert scene.face is None
    assert scene.product_box.cy > scene.size[1] / 2


def test_cut_strategies(outputs: dict[str, tuple[GeneratedImage, Scene]]) -> None:
    assert outputs["astronaut-serum-16x9"][1].product_kind == "keyed"
    assert outputs["astronaut-logo-1x1"][1].product_kind == "alpha"
    assert outputs["astronaut-full-bleed-9x16"][1].product_kind == "card"
    assert outputs["astronaut-coffee-9x16"][1].product_kind in ("grabcut", "card")


def test_landscape_person_keeps_the_whole_face_in_portrait(
    outputs: dict[str, tuple[GeneratedImage, Scene]],
) -> None:
    _, scene = outputs["landscape-coffee-9x16"]
    assert scene.face is not None
    assert 0.2 * scene.size[1] < scene.face.cy < 0.55 * scene.size[1]


def test_transparent_product_keeps_its_own_pixels(
    kit: Any, outputs: dict[str, tuple[GeneratedImage, Scene]]
) -> None:
    # Colour is matched only gently: the product's mean colour stays close to the original.
    _, scene = outputs["astronaut-logo-1x1"]
    sprite = scene.sprite.rgba.astype(np.float32)
    solid = sprite[:, :, 3] > 250
    original = kit.photos["logo"]()
    original_mean = original[original[:, :, 3] > 250][:, :3].mean(axis=0)
    assert np.abs(sprite[solid][:, :3].mean(axis=0) - original_mean).max() < 25


def test_deterministic(kit: Any) -> None:
    first = kit.compose("astronaut", "serum", "1:1")
    second = kit.compose("astronaut", "serum", "1:1")
    assert first.png == second.png
    assert first.scene == second.scene


def test_an_ad_can_go_without_its_caption(kit: Any) -> None:
    captioned = kit.compose("astronaut", "serum", "9:16", prompt="Glow all day")
    bare = kit.compose("astronaut", "serum", "9:16", prompt="Glow all day", caption=False)
    assert unpack_scene(captioned.scene).captions
    assert unpack_scene(bare.scene).captions == []
    assert captioned.png != bare.png


def test_progress_is_reported_in_order(kit: Any) -> None:
    seen: list[tuple[str, float]] = []
    kit.compose("astronaut", "serum", "1:1", progress=lambda s, f: seen.append((s, f)))
    fractions = [fraction for _, fraction in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(seen) >= 3


@pytest.mark.parametrize("tiny", [False, True])
async def test_unusable_photos_are_rejected(tiny: bool, kit: Any) -> None:
    payload = kit.encode(np.zeros((8, 8, 3), np.uint8)) if tiny else b"not an image"
    request = ImageRequest(
        person=payload,
        product=kit.encode(kit.photos["serum"]()),
        product_name="X",
        product_description="",
        prompt="",
        aspect_ratio="9:16",
    )
    with pytest.raises(EngineRejected) as raised:
        await LocalImageEngine(Settings()).compose(request, lambda s, f: None)
    assert "person photo" in raised.value.message


async def test_compose_runs_off_the_event_loop(kit: Any) -> None:
    # A ticker keeps running while the image is composed: the loop is never blocked long.
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    request = ImageRequest(
        person=kit.encode(kit.photos["astronaut"]()),
        product=kit.encode(kit.photos["serum"]()),
        product_name="Glow",
        product_description="",
        prompt="",
        aspect_ratio="1:1",
    )
    await LocalImageEngine(Settings()).compose(request, lambda s, f: None)
    ticker.cancel()
    assert ticks >= 3

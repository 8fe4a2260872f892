"""A product held in a real photo's hand: the fingers over it come from that hand, and a
plain product under them still reads as itself."""

from __future__ import annotations

import asyncio
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from numpy.typing import NDArray

from tests.support import encode, flat_tube_photo
from ugc.config import Settings
from ugc.engines.base import IMAGE_SIZES, AspectRatio, GeneratedImage, ImageRequest
from ugc.engines.local.demo import serum_packshot
from ugc.engines.local.image import LocalImageEngine
from ugc.engines.local.image.scene import Scene, unpack_scene
from ugc.projects import fidelity

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")
# The demo's pairs with a hand in shot, and the other sample photos that have one.
PAIRS = [
    ("messi5.jpg", "serum"),
    ("basketball1.png", "logo"),
    ("left01.jpg", "box.png"),
    ("basketball2.png", "serum"),
    ("messi5.jpg", "tube"),
]
ASPECTS: list[AspectRatio] = list(IMAGE_SIZES)


def _product(name: str) -> bytes:
    if name == "serum":
        return encode(serum_packshot())
    if name == "logo":
        return encode(skimage.data.logo())
    if name == "tube":
        return flat_tube_photo()
    return (OPENCV_DATA / name).read_bytes()


@cache
def _ad(person: str, product: str, aspect: AspectRatio) -> tuple[GeneratedImage, Scene]:
    path = OPENCV_DATA / person
    if not path.exists():
        pytest.skip(f"{person} is missing (apt-get install opencv-doc)")
    request = ImageRequest(
        person=path.read_bytes(),
        product=_product(product),
        product_name="Plain",
        product_description="",
        prompt="",
        aspect_ratio=aspect,
    )
    image = asyncio.run(LocalImageEngine(Settings()).compose(request, lambda s, f: None))
    assert image.scene is not None
    return image, unpack_scene(image.scene)


def _finger_pieces(scene: Scene) -> tuple[list[NDArray[np.bool_]], NDArray[np.bool_]]:
    """The pieces of finger painted over the product, and where the hand shows beside it.

    Both sprite-sized: the fingers are what the sprite changed over the product alone
    (its hero layer), the hand beside it the person's opaque pixels off the product and
    within the hand's reach of its palm.
    """
    assert scene.hero is not None
    sprite = scene.sprite
    height, width = scene.hero.shape[:2]
    changed = np.abs(sprite.rgba[:, :, :3].astype(int) - scene.hero[:, :, :3].astype(int))
    solid = scene.hero[:, :, 3] > 0.7 * 255  # the product itself, not its shadow
    drawn = (changed.sum(axis=2) > 30) & solid
    # Parts of one finger a pixel or two apart (across its soft edge) are one piece.
    joined = cv2.dilate(drawn.astype(np.uint8), np.ones((5, 5), np.uint8))
    count, labels = cv2.connectedComponents(joined, connectivity=8)
    pieces = [(labels == i) & drawn for i in range(1, count)]
    pieces = [piece for piece in pieces if piece.sum() >= 12]
    assert scene.person is not None
    person = np.zeros((height, width), np.uint8)
    dx, dy = scene.person.x - sprite.x, scene.person.y - sprite.y
    ph, pw = scene.person.rgba.shape[:2]
    y0, x0 = max(0, dy), max(0, dx)
    y1, x1 = min(height, dy + ph), min(width, dx + pw)
    if y1 > y0 and x1 > x0:
        person[y0:y1, x0:x1] = scene.person.rgba[y0 - dy : y1 - dy, x0 - dx : x1 - dx, 3]
    palm = np.array(scene.composition["palm"]) - [sprite.x, sprite.y]
    tips = np.array(scene.composition["fingertips"]) - [sprite.x, sprite.y]
    reach = 1.5 * float(np.linalg.norm(tips - palm, axis=1).max())
    ys, xs = np.mgrid[0:height, 0:width]
    near = np.hypot(xs - palm[0], ys - palm[1]) <= reach
    beside = (scene.hero[:, :, 3] < 0.5 * 255) & (person > 128) & near
    return pieces, beside


@pytest.mark.parametrize(("person", "product"), PAIRS)
def test_every_finger_over_the_product_comes_from_the_hand_beside_it(
    person: str, product: str
) -> None:
    # A finger painted on the product's face with its hand hidden behind the product
    # floats there: each piece must meet the hand where it shows beside the product.
    for aspect in ASPECTS if person == "messi5.jpg" else ASPECTS[:1]:
        _, scene = _ad(person, product, aspect)
        if scene.composition["composition"] != "hand":
            assert scene.hero is None
            continue
        pieces, beside = _finger_pieces(scene)
        for piece in pieces:
            grown = cv2.dilate(piece.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
            assert (grown & beside).any(), (aspect, int(piece.sum()), scene.composition)


@pytest.mark.parametrize("aspect", ASPECTS)
def test_a_small_hand_holds_the_serum_by_its_edge(aspect: AspectRatio) -> None:
    # Messi's hand is small in the frame: it still holds the product, its palm on it,
    # and its fingers show over the product.
    _, scene = _ad("messi5.jpg", "serum", aspect)
    assert scene.composition["composition"] == "hand"
    palm = scene.composition["palm"]
    box = scene.product_box.grown(0.05)
    assert box.x <= palm[0] <= box.right and box.y <= palm[1] <= box.bottom
    pieces, _ = _finger_pieces(scene)
    assert pieces


@pytest.mark.parametrize("aspect", ASPECTS)
def test_a_plain_tube_in_a_small_hand_reads_intact(aspect: AspectRatio) -> None:
    # The fingers cover an edge strip of the tube, not its face: its outline and colour
    # are still found as photographed.
    image, scene = _ad("messi5.jpg", "tube", aspect)
    assert scene.composition["composition"] == "hand"

    checked = fidelity.check_image(flat_tube_photo(), image.png)

    assert checked.verdict == "intact", checked

"""The whole image job (vision included) on real and synthetic edge cases."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
import skimage.data

from tests.engines.local.handmade import person_photo
from ugc.config import Settings
from ugc.engines.base import IMAGE_SIZES, GeneratedImage, ImageRequest
from ugc.engines.local.image import LocalImageEngine
from ugc.engines.local.image.scene import Scene, unpack_scene
from ugc.engines.local.image.staging import Placement, turned_box
from ugc.engines.local.kit.geometry import Box

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples/data")


def _opencv(name: str) -> np.ndarray:
    bgr = cv2.imread(str(OPENCV_DATA / name))
    if bgr is None:
        pytest.skip(f"{name} is missing (apt-get install opencv-doc)")
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))


def _compose(kit: Any, person: np.ndarray, aspect: str = "9:16") -> tuple[GeneratedImage, Scene]:
    request = ImageRequest(
        person=kit.encode(person, "JPEG", quality=90) if person.ndim == 3 else kit.encode(person),
        product=kit.encode(kit.photos["serum"]()),
        product_name="Glow Serum",
        product_description="",
        prompt="",
        aspect_ratio=aspect,  # type: ignore[arg-type]
    )
    image = asyncio.run(LocalImageEngine(Settings()).compose(request, lambda s, f: None))
    assert image.scene is not None
    return image, unpack_scene(image.scene)


def _product_box(scene: Scene) -> Box:
    return turned_box(Placement(scene.product_box, float(scene.composition["tilt"])))


def _check(kit: Any, image: GeneratedImage, scene: Scene) -> None:
    # Every ad: the right size, the product recognisable, no face under the product.
    width, height = scene.size
    assert kit.decode(image.png).shape == (height, width, 3)
    matches = kit.product_matches(kit.photos["serum"](), kit.decode(image.png))
    assert matches >= 15, matches
    for face in scene.composition["faces"]:
        assert _product_box(scene).intersection(Box.from_list(face)) == 0


def test_no_person(kit: Any) -> None:
    image, scene = _compose(kit, skimage.data.rocket())
    _check(kit, image, scene)
    assert scene.composition["composition"] in ("raised", "foreground")
    assert scene.composition["hand"] is None


def test_two_people(kit: Any) -> None:
    photo = np.hstack([skimage.data.astronaut(), skimage.data.astronaut()[:, ::-1]])
    image, scene = _compose(kit, np.ascontiguousarray(photo), "16:9")
    _check(kit, image, scene)
    assert scene.composition["faces_seen"] >= 2


def test_tiny_photo(kit: Any) -> None:
    small = cv2.resize(skimage.data.astronaut(), (64, 64), interpolation=cv2.INTER_AREA)
    image, scene = _compose(kit, small)
    _check(kit, image, scene)


def test_forty_megapixel_photo(kit: Any) -> None:
    big = cv2.resize(skimage.data.astronaut(), (7300, 5480), interpolation=cv2.INTER_LINEAR)
    image, scene = _compose(kit, big)
    _check(kit, image, scene)
    assert scene.face is not None


def test_grayscale_photo(kit: Any) -> None:
    image, scene = _compose(kit, np.asarray(skimage.data.camera()))  # encoded as an L PNG
    _check(kit, image, scene)
    assert scene.composition["faces_seen"] >= 1


def test_person_already_holding_something(kit: Any) -> None:
    # opencv-doc's left01.jpg: a person holding up a calibration chessboard.
    image, scene = _compose(kit, _opencv("left01.jpg"))
    _check(kit, image, scene)


def test_the_scene_keeps_the_person_layer_for_the_video(kit: Any) -> None:
    _, scene = _compose(kit, skimage.data.astronaut())
    assert scene.composition["vision"] == "vision" and scene.composition["person_mask"]
    assert scene.person is not None and scene.plate is not None
    width, height = IMAGE_SIZES["9:16"]
    assert scene.plate.shape == (height, width, 3)
    # The face is on the person layer: it is opaque there.
    assert scene.face is not None
    x, y = int(scene.face.cx) - scene.person.x, int(scene.face.cy) - scene.person.y
    assert scene.person.rgba[y, x, 3] > 240


def test_drawn_hand_through_the_engine(kit: Any) -> None:
    # The vision stage runs on a drawn person: whatever it finds, the ad stays sound.
    photo, _ = person_photo(hands=(((520.0, 800.0), 12.0, 95.0, "right", 0.0),))
    image, scene = _compose(kit, photo)
    _check(kit, image, scene)


@pytest.mark.parametrize("name", ["messi5.jpg", "basketball1.png", "left01.jpg"])
def test_a_detected_hand_holds_the_product(kit: Any, name: str) -> None:
    image, scene = _compose(kit, _opencv(name))
    _check(kit, image, scene)
    if not scene.composition["hands_seen"]:
        pytest.skip(f"the vision stage finds no hand in {name}")
    if scene.composition["composition"] != "hand":
        # Every hand was refused: each must have been unusable (off-frame, over a face).
        pytest.fail(f"hands seen in {name} but the product is not in one: {scene.composition}")
    palm = scene.composition["palm"]
    box = _product_box(scene).grown(0.05)
    assert box.x <= palm[0] <= box.right and box.y <= palm[1] <= box.bottom

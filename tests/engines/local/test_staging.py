"""Staging on photos whose vision result is known: in the hand, foreground, raised."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.engines.local.handmade import person_photo
from ugc.engines.local.image.compose import compose_scene, render_still
from ugc.engines.local.image.cutout import cut_out_product
from ugc.engines.local.image.people import Person, from_vision
from ugc.engines.local.image.scene import Scene
from ugc.engines.local.image.staging import turned_box
from ugc.engines.local.kit.geometry import Box
from ugc.projects import fidelity

# (wrist, angle from straight up, palm length, side, holding)
RIGHT_UP = ((520.0, 800.0), 12.0, 95.0, "right", 0.0)
LEFT_SIDE = ((150.0, 760.0), 60.0, 80.0, "left", 0.0)
SMALL = ((600.0, 820.0), -5.0, 40.0, "left", 0.0)


def _product(kit: Any, name: str = "serum") -> Any:
    photo = kit.photos[name]()
    if photo.shape[2] == 3:
        photo = np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    return cut_out_product(photo)


def _compose(kit: Any, photo: Any, person: Person, aspect: str = "9:16") -> Scene:
    return compose_scene(photo, person, _product(kit), "Glow Serum", "", aspect)  # type: ignore[arg-type]


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
def test_a_visible_hand_holds_the_product(kit: Any, aspect: str) -> None:
    photo, vision = person_photo(hands=(RIGHT_UP,))
    scene = _compose(kit, photo, from_vision(vision), aspect)
    assert scene.composition["composition"] == "hand"
    assert scene.composition["hand"] == "right"
    # The palm lies on the product: a hand point is inside the product's box.
    hand = scene.composition["palm"]
    box = scene.product_box.grown(0.02)
    assert box.x <= hand[0] <= box.right and box.y <= hand[1] <= box.bottom
    assert scene.face is not None
    assert turned_box_of(scene).intersection(scene.face) == 0
    matches = kit.product_matches(kit.photos["serum"](), kit.decode(render_still(scene)))
    assert matches >= 15


def turned_box_of(scene: Scene) -> Box:
    """The product's box on the canvas after its tilt (recorded in the composition)."""
    from ugc.engines.local.image.staging import Placement

    return turned_box(Placement(scene.product_box, float(scene.composition["tilt"])))


def test_the_product_is_sized_from_the_palm(kit: Any) -> None:
    big_photo, big = person_photo(hands=(((520.0, 800.0), 12.0, 130.0, "right", 0.0),))
    small_photo, small = person_photo(hands=(RIGHT_UP,))
    big_scene = _compose(kit, big_photo, from_vision(big))
    small_scene = _compose(kit, small_photo, from_vision(small))
    assert big_scene.composition["composition"] == small_scene.composition["composition"] == "hand"
    ratio = big_scene.product_box.w / small_scene.product_box.w
    assert 1.15 < ratio < 1.65  # palms of 130 and 95 px in the same framing


def test_the_product_leans_with_the_hand(kit: Any) -> None:
    tilted = ((520.0, 800.0), 25.0, 95.0, "right", 0.0)
    photo, vision = person_photo(hands=(tilted,))
    scene = _compose(kit, photo, from_vision(vision))
    assert scene.composition["composition"] == "hand"
    assert scene.composition["tilt"] < -5  # leaning right is clockwise


def test_the_free_hand_wins_over_one_already_holding_something(kit: Any) -> None:
    holding = ((520.0, 800.0), 0.0, 95.0, "right", 0.9)
    free = ((190.0, 800.0), 0.0, 85.0, "left", 0.0)
    photo, vision = person_photo(hands=(holding, free))
    scene = _compose(kit, photo, from_vision(vision))
    assert scene.composition["hand"] == "left"


def test_the_bigger_hand_wins(kit: Any) -> None:
    photo, vision = person_photo(hands=(SMALL, RIGHT_UP))
    scene = _compose(kit, photo, from_vision(vision))
    assert scene.composition["hand"] == "right"


def test_fingers_are_drawn_in_front_of_the_product(kit: Any) -> None:
    photo, vision = person_photo(hands=(RIGHT_UP,))
    scene = _compose(kit, photo, from_vision(vision))
    image = kit.decode(render_still(scene)).astype(int)
    box = turned_box_of(scene)
    tips = np.array(scene.composition["fingertips"])
    on_product = [p for p in tips if box.x < p[0] < box.right and box.y < p[1] < box.bottom]
    assert on_product, "a fingertip lies over the product"
    for x, y in on_product:
        pixel = image[int(y), int(x)]
        # The finger's own skin colour, not the product's blue or white label.
        assert abs(pixel[0] - 224) < 45 and abs(pixel[2] - 140) < 45, pixel


def test_no_hand_with_a_mask_is_a_foreground_shot(kit: Any) -> None:
    photo, vision = person_photo()
    scene = _compose(kit, photo, from_vision(vision))
    assert scene.composition["composition"] == "foreground"
    assert scene.product_box.bottom >= 0.97 * scene.size[1]  # near the lens, from below
    assert scene.face is not None and turned_box_of(scene).intersection(scene.face) == 0


def test_no_hand_and_no_mask_raises_it_from_the_bottom(kit: Any) -> None:
    photo, vision = person_photo()
    seen = from_vision(vision)
    person = Person(seen.face, seen.faces, (), None, "faces")
    scene = _compose(kit, photo, person)
    assert scene.composition["composition"] == "raised"
    assert scene.product_box.bottom >= scene.size[1]
    assert scene.face is not None and turned_box_of(scene).intersection(scene.face) == 0


def test_two_people_neither_face_is_covered(kit: Any) -> None:
    photo, vision = person_photo(size=(1280, 800), faces=2)
    person = from_vision(vision)
    scene = _compose(kit, photo, person, "16:9")
    faces = scene.composition["faces"]
    assert len(faces) == 2
    for face in faces:
        assert turned_box_of(scene).intersection(Box.from_list(face)) == 0


def test_a_hand_over_the_face_is_not_used(kit: Any) -> None:
    # A hand at the chin: the product there would cover the face.
    chin = ((360.0, 420.0), 0.0, 90.0, "right", 0.0)
    photo, vision = person_photo(hands=(chin,))
    scene = _compose(kit, photo, from_vision(vision))
    assert scene.composition["composition"] != "hand"
    assert scene.face is not None and turned_box_of(scene).intersection(scene.face) == 0


def test_grayscale_photo(kit: Any) -> None:
    photo, vision = person_photo(hands=(RIGHT_UP,), gray=True)
    scene = _compose(kit, photo, from_vision(vision))
    assert scene.composition["composition"] == "hand"


@pytest.mark.parametrize("hand", [RIGHT_UP, LEFT_SIDE, SMALL], ids=["upright", "side", "small"])
def test_the_fingers_hold_the_product_clear_of_its_label(kit: Any, hand: Any) -> None:
    # Fingers across the label make the product unreadable (and fail the fidelity check):
    # the hand holds it by a plain part, its cap or its base, and still holds it.
    photo, vision = person_photo(hands=(hand,))
    scene = _compose(kit, photo, from_vision(vision))
    assert scene.composition["composition"] == "hand"
    tips = np.array(scene.composition["fingertips"])
    box = turned_box_of(scene)
    assert any(box.x < x < box.right and box.y < y < box.bottom for x, y in tips)
    checked = fidelity.check_image(kit.encode(kit.photos["serum"]()), render_still(scene))
    assert checked.verdict == "intact", checked

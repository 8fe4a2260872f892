"""Faces and the person mask on real photos, and the photos the stage must survive."""

from __future__ import annotations

import numpy as np
import pytest

from tests.engines.local.vision.photos import analysed, inside, opencv_photo, photo
from ugc.engines.local.vision import MAX_SIDE, analyse_person
from ugc.engines.local.vision.types import MASK_THRESHOLD

# Regions checked by eye on the photos (x0, y0, x1, y1 in their pixels).
ASTRONAUT_FACE = (165, 60, 285, 195)
CAMERA_FACE = (170, 100, 280, 220)


@pytest.mark.parametrize(("name", "face"), [("astronaut", ASTRONAUT_FACE), ("camera", CAMERA_FACE)])
def test_the_face_is_found_where_it_is(name, face):
    vision = analysed(name)
    assert len(vision.faces) == 1
    found = vision.faces[0]
    x, y, w, h = found.box
    assert inside((x + w / 2, y + h / 2), face)
    assert 0.5 * (face[2] - face[0]) < w < 1.3 * (face[2] - face[0])
    assert found.landmarks is not None and found.landmarks.shape == (468, 2)
    # The mesh lies on the face: nearly all its points inside the face region, grown a little.
    grown = (face[0] - 15, face[1] - 15, face[2] + 15, face[3] + 15)
    assert np.mean([inside(p, grown) for p in found.landmarks]) > 0.95
    assert found.keypoints is not None
    right_eye, left_eye = found.keypoints[0], found.keypoints[1]
    assert right_eye[0] < left_eye[0]  # the person's right eye is on the image's left


def test_the_mask_covers_the_person_and_not_the_background():
    vision = analysed("astronaut")
    mask = vision.mask
    assert mask.shape == (512, 512) and mask.dtype == np.float32
    assert mask.min() >= 0.0 and mask.max() <= 1.0
    # Face and suit (checked by eye) are person; the flag and the sky behind are not.
    assert mask[110:170, 190:260].mean() > 0.9  # face
    assert mask[300:480, 60:200].mean() > 0.9  # suit
    assert mask[20:120, 0:40].mean() < 0.2  # the flag, top left
    assert mask[30:110, 330:420].mean() < 0.2  # backdrop right of the head
    x, y, w, h = vision.person_box() or (0, 0, 0, 0)
    assert x < 60 and y < 60 and x + w > 400 and y + h == 512


def test_the_mask_follows_a_grey_photo():
    vision = analysed("camera")
    assert vision.mask.shape == (512, 512)
    assert vision.mask[150:200, 190:240].mean() > 0.9  # the face
    assert vision.mask[300:500, 30:130].mean() > 0.9  # the coat
    assert vision.mask[0:80, 300:500].mean() < 0.1  # the sky


def test_a_landscape_without_people_has_no_person():
    vision = analyse_person(opencv_photo("examples/hfs/data/001.jpg"))
    assert vision.faces == () and vision.hands == ()
    assert vision.coverage() < 0.02


def test_a_blank_photo_has_no_person():
    vision = analyse_person(np.full((640, 480, 3), 200, np.uint8))
    assert vision.faces == () and vision.hands == () and vision.pose is None
    assert vision.person_box() is None and vision.coverage() == 0.0


def test_a_tiny_photo_is_analysed_at_its_size():
    small = np.asarray(photo("astronaut")[::8, ::8])  # 64x64
    vision = analyse_person(small)
    assert (vision.width, vision.height) == (64, 64) and vision.mask.shape == (64, 64)
    assert vision.scale == 1.0
    assert vision.mask[14:22, 24:32].mean() > MASK_THRESHOLD  # the face is still person


def test_a_huge_photo_is_scaled_down_first():
    big = np.repeat(np.repeat(photo("astronaut"), 12, axis=0), 12, axis=1)  # 6144x6144, 38 MP
    vision = analyse_person(big)
    assert (vision.width, vision.height) == (MAX_SIDE, MAX_SIDE)
    assert vision.mask.shape == (MAX_SIDE, MAX_SIDE) and vision.scale == pytest.approx(1 / 3)
    assert len(vision.faces) == 1
    x, y, w, h = vision.faces[0].box
    scaled = tuple(v * 4 for v in ASTRONAUT_FACE)  # 512 -> 2048
    assert inside((x + w / 2, y + h / 2), scaled)


def test_grey_and_rgba_photos_give_the_same_analysis_as_rgb():
    rgb = photo("astronaut")
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    assert analyse_person(rgba).faces[0].box == analysed("astronaut").faces[0].box
    grey = rgb.mean(axis=2).astype(np.uint8)
    assert len(analyse_person(grey).faces) == 1
    assert len(analyse_person(grey[:, :, None]).faces) == 1


def test_two_people_side_by_side_are_two_faces():
    face = photo("astronaut")
    pair = np.hstack([face, face[:, ::-1]])
    vision = analyse_person(pair)
    assert len(vision.faces) == 2
    centres = sorted(f.box[0] + f.box[2] / 2 for f in vision.faces)
    assert centres[0] < 512 < centres[1]
    assert vision.mask[110:170, 190:260].mean() > 0.8
    assert vision.mask[110:170, 1024 - 260 : 1024 - 190].mean() > 0.8


def test_a_photo_that_is_not_uint8_is_refused():
    with pytest.raises(ValueError, match="uint8"):
        analyse_person(np.zeros((64, 64, 3), np.float32))


def test_analyses_in_parallel_threads_match_one_at_a_time():
    from concurrent.futures import ThreadPoolExecutor

    photos = [photo("astronaut"), photo("camera"), photo("astronaut")[:, ::-1].copy()]
    alone = [analyse_person(p) for p in photos]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(analyse_person, photos * 2))
    for index, result in enumerate(together):
        expected = alone[index % 3]
        assert np.array_equal(result.mask, expected.mask)
        assert [f.box for f in result.faces] == [f.box for f in expected.faces]
        assert (result.pose is None) == (expected.pose is None)
        if result.pose is not None:
            assert np.array_equal(result.pose, expected.pose)

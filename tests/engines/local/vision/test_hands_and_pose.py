"""Hands and body points on real photos, checked against regions verified by eye."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from tests.engines.local.vision.photos import analysed, inside, photo
from ugc.engines.local.vision import analyse_person
from ugc.engines.local.vision.hands import holding
from ugc.engines.local.vision.types import (
    INDEX_MCP,
    LEFT_WRIST,
    MIDDLE_MCP,
    PINKY_MCP,
    RIGHT_WRIST,
    WRIST,
)

# messi5.jpg (548x342): arms spread, facing the camera. His own left hand is on the
# image's right. Regions x0, y0, x1, y1 drawn on the photo and checked by eye.
MESSI_LEFT_HAND = (335, 145, 390, 190)
MESSI_RIGHT_HAND = (60, 80, 120, 115)
MESSI_FACE = (215, 90, 265, 140)


def _hand(vision, side):
    (hand,) = [h for h in vision.hands if h.handedness == side]
    return hand


@pytest.mark.parametrize(
    ("side", "region"), [("left", MESSI_LEFT_HAND), ("right", MESSI_RIGHT_HAND)]
)
def test_both_visible_hands_are_found_on_the_hands(side, region):
    vision = analysed("examples/data/messi5.jpg")
    assert len(vision.hands) == 2
    hand = _hand(vision, side)
    assert hand.landmarks.shape == (21, 3) and hand.landmarks.dtype == np.float32
    assert hand.score > 0.8
    # Every point (fingertips too) lies on the hand, inside its region.
    assert all(inside(point, region) for point in hand.landmarks[:, :2])
    # A hand's size: the palm is a few times smaller than the region, not a dot.
    assert 6 < hand.palm_width < 30 and 6 < hand.palm_length < 30
    width = np.linalg.norm(hand.landmarks[INDEX_MCP, :2] - hand.landmarks[PINKY_MCP, :2])
    assert hand.palm_width == pytest.approx(float(width))
    assert math.hypot(*hand.axis) == pytest.approx(1.0)


def test_the_hand_axis_points_from_wrist_to_fingers():
    vision = analysed("examples/data/messi5.jpg")
    # Arms spread: the left hand's fingers point right, the right hand's point left.
    assert _hand(vision, "left").axis[0] > 0.7
    assert _hand(vision, "right").axis[0] < -0.7
    for hand in vision.hands:
        wrist, middle = hand.landmarks[WRIST, :2], hand.landmarks[MIDDLE_MCP, :2]
        direction = (middle - wrist) / np.linalg.norm(middle - wrist)
        assert hand.axis == pytest.approx(tuple(direction), abs=1e-5)


def test_open_hands_are_not_holding_anything():
    vision = analysed("examples/data/messi5.jpg")
    assert all(hand.holding < 0.35 for hand in vision.hands)


def test_the_pose_puts_wrists_at_the_hands_and_the_nose_on_the_face():
    vision = analysed("examples/data/messi5.jpg")
    assert vision.pose is not None and vision.pose.shape == (33, 3)
    assert inside(vision.pose[LEFT_WRIST, :2], MESSI_LEFT_HAND)
    assert inside(vision.pose[RIGHT_WRIST, :2], MESSI_RIGHT_HAND)
    assert inside(vision.pose[0, :2], MESSI_FACE) and vision.pose[0, 2] > 0.9
    assert vision.wrist("left") is not None


def test_a_small_face_is_found_through_the_body():
    vision = analysed("examples/data/messi5.jpg")
    centres = [(x + w / 2, y + h / 2) for x, y, w, h in (f.box for f in vision.faces)]
    assert any(inside(c, MESSI_FACE) for c in centres)


def test_the_mask_covers_a_person_seen_whole():
    vision = analysed("examples/data/messi5.jpg")
    assert vision.mask[150:200, 220:280].mean() > 0.8  # shirt
    assert vision.mask[10:60, 400:540].mean() < 0.1  # crowd, top right
    # The crowd right around him (over his arm, beside his hip) is not him either.
    assert vision.mask[40:80, 120:200].mean() < 0.1
    assert vision.mask[200:240, 140:200].mean() < 0.1
    x, y, w, h = vision.person_box() or (0, 0, 0, 0)
    assert x < 80 and x + w > 370 and y < 100 and y + h > 320


def test_hands_are_found_in_a_tall_phone_photo():
    # The same scene as a 1080x1920 upload: scaled up and framed with plain bands.
    source = photo("examples/data/messi5.jpg")
    scale = 1080 / source.shape[1]
    body = cv2.resize(source, (1080, round(source.shape[0] * scale)), interpolation=cv2.INTER_CUBIC)
    top = (1920 - body.shape[0]) // 2
    tall = np.full((1920, 1080, 3), 90, np.uint8)
    tall[top : top + body.shape[0]] = body
    vision = analyse_person(tall)
    assert (vision.width, vision.height) == (1080, 1920)
    for side, (x0, y0, x1, y1) in (("left", MESSI_LEFT_HAND), ("right", MESSI_RIGHT_HAND)):
        region = (x0 * scale, y0 * scale + top, x1 * scale, y1 * scale + top)
        hand = _hand(vision, side)
        assert np.mean([inside(p, region) for p in hand.landmarks[:, :2]]) > 0.9


def test_two_people_have_their_own_hands_and_faces():
    source = photo("examples/data/messi5.jpg")
    pair = np.hstack([source, source[:, ::-1]])
    vision = analyse_person(pair)
    width = source.shape[1]
    centres = [hand.centre()[0] for hand in vision.hands]
    assert len(vision.hands) == 4
    assert sum(x < width for x in centres) == 2
    assert len(vision.faces) >= 2


@pytest.mark.parametrize("name", ["astronaut", "examples/hfs/data/001.jpg"])
def test_no_hand_is_found_where_none_is_visible(name):
    assert analysed(name).hands == ()


def _finger(base: np.ndarray, direction: np.ndarray, bends: list[float]) -> list[np.ndarray]:
    """Joint positions along a finger from its base, turning by `bends` in one plane."""
    points, heading = [base], math.atan2(direction[1], direction[0])
    for bend in [0.0, *bends]:
        heading += bend
        points.append(points[-1] + 0.025 * np.array([math.cos(heading), math.sin(heading), 0]))
    return points[1:]


def _world_hand(bend: float) -> np.ndarray:
    """A hand in metres whose four fingers bend by `bend` radians at each joint."""
    world = np.zeros((21, 3), np.float32)
    for finger, start in enumerate((5, 9, 13, 17)):
        base = np.array([0.02 * (finger - 1.5), 0.08, 0.0])
        world[start] = base
        joints = _finger(base, np.array([0.0, 1.0]), [bend, bend, bend])
        world[start + 1 : start + 4] = joints[1:]
    return world


def test_holding_grows_as_the_fingers_curl():
    open_hand, cupped, fist = (holding(_world_hand(math.radians(a))) for a in (5, 40, 70))
    assert open_hand == 0.0
    assert 0.2 < cupped < 0.8
    assert fist == 1.0


# basketball1.png (640x480, grey): the man on the left holds a ball up; his hand under it.
BALL_HAND = (125, 135, 170, 175)


def test_a_hand_already_holding_something_reads_as_holding():
    vision = analysed("examples/data/basketball1.png")
    assert vision.hands, "the hand under the ball is visible"
    hand = vision.hands[0]
    assert np.mean([inside(p, BALL_HAND) for p in hand.landmarks[:, :2]]) > 0.9
    assert hand.holding > 0.6


# Histogram_Comparison_Source_2.jpg (200x184, opencv-doc's tutorial pictures): one open
# left hand, palm to the camera, filling the photo, no body. Fingertip regions by eye.
OPEN_HAND_TIPS = {
    4: (0, 70, 35, 105),  # thumb, far left
    8: (85, 0, 120, 25),  # index
    12: (125, 0, 160, 25),  # middle
    16: (145, 5, 175, 40),  # ring
    20: (170, 55, 200, 90),  # little finger
}


def test_a_close_up_hand_has_its_fingertips_on_the_fingers_and_its_own_side():
    vision = analysed("opencv4/html/Histogram_Comparison_Source_2.jpg")
    (hand,) = vision.hands
    for tip, region in OPEN_HAND_TIPS.items():
        assert inside(hand.landmarks[tip, :2], region), tip
    assert hand.landmarks[WRIST, 1] > 150  # the wrist at the bottom edge
    # No body to ask: the hand model's own call, taken as the person's side (the palm
    # faces the camera with the thumb on the image's left: a left hand).
    assert hand.handedness == "left" and hand.handedness_score > 0.8
    assert hand.holding < 0.35
    assert hand.axis[1] < -0.9  # fingers up
    assert vision.mask[100:150, 80:150].mean() > 0.8  # the hand is part of the person


# right04.jpg (640x480, stereo calibration set): a man holds a chessboard up by its edge,
# his right hand's fingers curled over it; the hand spans this region.
BOARD_HAND = (380, 180, 520, 380)


def test_a_hand_gripping_a_board_is_found_and_reads_as_holding():
    vision = analysed("examples/data/right04.jpg")
    assert len(vision.hands) == 1
    hand = vision.hands[0]
    assert all(inside(p, BOARD_HAND) for p in hand.landmarks[:, :2])
    assert hand.holding > 0.6

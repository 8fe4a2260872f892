"""Synthetic person photos with hands drawn from known points, and their vision results.

The vision stage's result is built by hand for these photos (the points are where the
hand was drawn), so staging can be tested on exactly known hands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

SKIN = (224, 172, 140)


@dataclass(frozen=True, slots=True)
class MadeHand:
    """A hand in the shape of the vision stage's Hand."""

    landmarks: NDArray[np.float32]
    handedness: str
    score: float
    palm_width: float
    palm_length: float
    axis: tuple[float, float]
    holding: float


@dataclass(frozen=True, slots=True)
class MadeFace:
    """A face in the shape of the vision stage's Face."""

    box: tuple[float, float, float, float]
    score: float
    landmarks: None = None


@dataclass(frozen=True, slots=True)
class MadeVision:
    """A person photo's vision result in the shape of the vision stage's PersonVision."""

    width: int
    height: int
    mask: NDArray[np.float32]
    pose: None
    hands: tuple[MadeHand, ...]
    faces: tuple[MadeFace, ...]


def hand_points(
    wrist: tuple[float, float], angle: float, palm: float, curl: float = 0.0
) -> NDArray[np.float32]:
    """21 MediaPipe-ordered points of an open hand; angle in degrees from straight up."""
    rad = math.radians(angle)
    up = np.array([math.sin(rad), -math.cos(rad)])
    across = np.array([math.cos(rad), math.sin(rad)])
    base = np.array(wrist, float)
    points = np.zeros((21, 3), np.float32)
    points[0, :2] = base
    thumb = base + across * (-0.45 * palm) + up * 0.25 * palm
    for j in range(4):
        points[1 + j, :2] = thumb + (across * -0.3 + up * 0.3) * palm * j
    for finger in range(4):
        knuckle = base + up * palm + across * ((finger - 1.5) / 3 * 0.9 * palm)
        # A hand already gripping something has its fingers curled: shorter in the photo.
        length = (0.85, 0.95, 0.9, 0.7)[finger] * palm * (1 - 0.6 * curl)
        for j in range(4):
            points[5 + 4 * finger + j, :2] = knuckle + up * length * j / 3
    return points


def made_hand(points: NDArray[np.float32], side: str = "right", holding: float = 0.0) -> MadeHand:
    """The Hand record for drawn points."""
    xy = points[:, :2]
    axis = xy[9] - xy[0]
    length = float(np.linalg.norm(axis))
    return MadeHand(
        points,
        side,
        0.95,
        float(np.linalg.norm(xy[5] - xy[17])),
        length,
        (float(axis[0] / length), float(axis[1] / length)),
        holding,
    )


def draw_hand(
    photo: NDArray[np.uint8], mask: NDArray[np.float32], points: NDArray[np.float32], palm: float
) -> None:
    """Paint a skin-coloured hand at the points, into the photo and the person mask."""
    xy = points[:, :2].astype(np.int32)
    palm_poly = xy[[0, 1, 5, 9, 13, 17]]
    for target, value in ((photo, SKIN), (mask, 1.0)):
        cv2.fillConvexPoly(target, cv2.convexHull(palm_poly), value, cv2.LINE_AA)
        for chain in (
            (1, 2, 3, 4),
            (5, 6, 7, 8),
            (9, 10, 11, 12),
            (13, 14, 15, 16),
            (17, 18, 19, 20),
        ):
            cv2.polylines(
                target, [xy[list(chain)]], False, value, max(2, int(0.22 * palm)), cv2.LINE_AA
            )
    # Knuckle lines so the fingers have texture a feature matcher could confuse.
    for chain in ((5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20)):
        for j in chain[1:3]:
            cv2.circle(
                photo, tuple(int(v) for v in xy[j]), max(1, int(0.05 * palm)), (180, 120, 100), -1
            )


def person_photo(
    size: tuple[int, int] = (720, 960),
    hands: tuple[tuple[tuple[float, float], float, float, str, float], ...] = (),
    faces: int = 1,
    gray: bool = False,
) -> tuple[NDArray[np.uint8], MadeVision]:
    """A half-body person (or people) on a plain wall.

    Hands are given as (wrist, angle, palm length, side, holding).
    """
    width, height = size
    photo = np.zeros((height, width, 3), np.uint8)
    photo[:] = np.linspace(200, 150, width, dtype=np.float32)[None, :, None].astype(np.uint8)
    mask = np.zeros((height, width), np.float32)
    made_faces = []
    for index in range(faces):
        cx = width * (index + 1) / (faces + 1)
        r = 0.11 * width / max(1, faces**0.5)
        cy = 0.28 * height
        for target, value in ((photo, (70, 90, 160)), (mask, 1.0)):
            cv2.ellipse(
                target,
                (int(cx), int(0.78 * height)),
                (int(2.4 * r), int(0.4 * height)),
                0,
                180,
                360,
                value,
                -1,
            )
            cv2.rectangle(
                target,
                (int(cx - 2.4 * r), int(0.78 * height)),
                (int(cx + 2.4 * r), height),
                value,
                -1,
            )
        for target, value in ((photo, SKIN), (mask, 1.0)):
            cv2.circle(target, (int(cx), int(cy)), int(r), value, -1, cv2.LINE_AA)
        cv2.circle(
            photo, (int(cx - 0.35 * r), int(cy - 0.15 * r)), max(2, int(0.1 * r)), (40, 30, 30), -1
        )
        cv2.circle(
            photo, (int(cx + 0.35 * r), int(cy - 0.15 * r)), max(2, int(0.1 * r)), (40, 30, 30), -1
        )
        cv2.ellipse(
            photo,
            (int(cx), int(cy + 0.4 * r)),
            (int(0.4 * r), int(0.15 * r)),
            0,
            0,
            180,
            (150, 60, 60),
            3,
        )
        made_faces.append(MadeFace((cx - r, cy - r, 2 * r, 2 * r), 0.9))
    made_hands = []
    for wrist, angle, palm, side, holding in hands:
        points = hand_points(wrist, angle, palm, curl=holding)
        draw_hand(photo, mask, points, palm)
        made_hands.append(made_hand(points, side, holding))
    if gray:
        photo = np.repeat(cv2.cvtColor(photo, cv2.COLOR_RGB2GRAY)[:, :, None], 3, axis=2)
    vision = MadeVision(width, height, mask, None, tuple(made_hands), tuple(made_faces))
    return photo, vision

"""Finding every hand once: crops from palms and from the pose, two looks per hand."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import f32
from ugc.engines.local.vision.crops import Pyramid, Roi
from ugc.engines.local.vision.face import square_tiles
from ugc.engines.local.vision.hands import (
    MIN_PRESENCE,
    RawHand,
    holding,
    landmark_region,
    landmarks_in,
    palm_regions,
    pose_regions,
)
from ugc.engines.local.vision.types import (
    INDEX_MCP,
    LEFT_WRIST,
    MIDDLE_MCP,
    PINKY_MCP,
    RIGHT_WRIST,
    WRIST,
    Hand,
)

_MAX_HANDS = 4
# A first look from a pose crop this sure of a hand is worth a second, better placed, look.
_ROUGH_PRESENCE = 0.1
# A first look this sure has the hand well placed already (a second moves it < 1 px).
_SURE_PRESENCE = 0.9
# Two crops whose centres are closer than this share of their size look at the same hand.
_SAME_CROP = 0.35
# Two results whose palms are closer than this share of the palm's length are one hand.
_SAME_HAND = 0.6
# Pose wrists this near a hand's wrist (in palm lengths) tell its side.
_WRIST_MATCH = 1.0


def _near(a: Roi, b: Roi) -> bool:
    size = max(a.width, b.width)
    return math.hypot(a.cx - b.cx, a.cy - b.cy) < _SAME_CROP * size


def candidate_regions(
    photo: Pyramid, poses: Sequence[NDArray[np.float32]]
) -> list[tuple[Roi, bool]]:
    """Crops that may hold a hand, each saying whether it came from a pose (a rough guess).

    The palm detector's crops come first; each body's wrists add theirs where no palm was
    found. Without a body, square tiles of an elongated photo give small palms a chance.
    """
    height, width = photo.photo.shape[:2]
    tiles = square_tiles(width, height) if not poses else [Roi.whole(width, height)]
    regions: list[tuple[Roi, bool]] = []
    for tile in tiles:
        for crop in palm_regions(photo, tile):
            if not any(_near(crop, kept) for kept, _ in regions):
                regions.append((crop, False))
    palms = [crop for crop, _ in regions]
    for pose in poses:
        # A body's two wrists are two hands however close; only a palm crop makes one moot.
        for crop in pose_regions(pose):
            if not any(_near(crop, palm) for palm in palms):
                regions.append((crop, True))
    return regions


def _palm_centre(hand: RawHand) -> NDArray[np.float32]:
    return f32(hand.landmarks[[WRIST, INDEX_MCP, MIDDLE_MCP, PINKY_MCP], :2].mean(axis=0))


def _palm_length(hand: RawHand) -> float:
    return float(np.linalg.norm(hand.landmarks[MIDDLE_MCP, :2] - hand.landmarks[WRIST, :2]))


def _covers(hand: RawHand, region: Roi) -> bool:
    """True when a crop's centre falls on a hand already found."""
    gap = float(np.linalg.norm(_palm_centre(hand) - np.array([region.cx, region.cy])))
    return gap < max(_palm_length(hand), 1.0)


def _extent(hand: RawHand) -> float:
    """The diagonal of the hand's landmark box."""
    points = hand.landmarks[:, :2]
    return float(np.linalg.norm(points.max(axis=0) - points.min(axis=0)))


def _same_hand(a: RawHand, b: RawHand) -> bool:
    """Two results are one hand when their palms are close or one's points lie in the other."""
    size = max(_palm_length(a), _palm_length(b), 1.0)
    if float(np.linalg.norm(_palm_centre(a) - _palm_centre(b))) < _SAME_HAND * size:
        return True
    small, large = sorted((a, b), key=_extent)
    low, high = large.landmarks[:, :2].min(axis=0), large.landmarks[:, :2].max(axis=0)
    points = small.landmarks[:, :2]
    within = np.all((points >= low) & (points <= high), axis=1)
    return float(within.mean()) > _SAME_HAND


def _side(
    hand: RawHand, poses: Sequence[NDArray[np.float32]]
) -> tuple[Literal["left", "right"], float]:
    """The person's own side of the hand: from the pose wrist on it, else the hand model.

    The pose decides only when one of its wrists is clearly the nearer: with both hands
    together (around a ball, a cup), the hand model's own call is the better one.
    """
    reach = _WRIST_MATCH * max(_palm_length(hand), 1.0)
    for pose in poses:
        gaps = {}
        for side, index in (("left", LEFT_WRIST), ("right", RIGHT_WRIST)):
            wrist = pose[index]
            if wrist[2] >= 0.5:
                gaps[side] = float(np.linalg.norm(wrist[:2] - hand.landmarks[WRIST, :2]))
        if not gaps:
            continue
        nearest = min(gaps, key=lambda side: gaps[side])
        others = [gap for side, gap in gaps.items() if side != nearest]
        if gaps[nearest] < reach and all(gap > 2 * gaps[nearest] for gap in others):
            return ("left" if nearest == "left" else "right"), 1.0
    if hand.left_score >= 0.5:
        return "left", hand.left_score
    return "right", 1.0 - hand.left_score


def describe(hand: RawHand, poses: Sequence[NDArray[np.float32]]) -> Hand:
    """The typed hand: its side, size, axis and grip."""
    points = hand.landmarks
    wrist, middle = points[WRIST, :2], points[MIDDLE_MCP, :2]
    length = float(np.linalg.norm(middle - wrist))
    axis = (middle - wrist) / length if length > 0 else np.array([0.0, -1.0])
    side, sureness = _side(hand, poses)
    return Hand(
        landmarks=points,
        handedness=side,
        score=hand.presence,
        palm_width=float(np.linalg.norm(points[INDEX_MCP, :2] - points[PINKY_MCP, :2])),
        palm_length=length,
        axis=(float(axis[0]), float(axis[1])),
        holding=holding(hand.world),
        handedness_score=sureness,
    )


def _look(photo: Pyramid, region: Roi, rough: bool) -> RawHand | None:
    """The hand in a crop: one look, or for a rough crop two (the second better placed)."""
    # A crop from the pose is only a guess at the hand's size and turn: even a doubtful
    # first look places a second, centred on what it found (as MediaPipe's tracking does
    # from frame to frame), which has the whole hand well inside it.
    first = landmarks_in(photo, region, _ROUGH_PRESENCE if rough else MIN_PRESENCE)
    if first is None or not rough or first.presence >= _SURE_PRESENCE:
        return first if first is not None and first.presence >= MIN_PRESENCE else None
    second = landmarks_in(photo, landmark_region(first))
    if second is not None:
        return second
    return first if first.presence >= MIN_PRESENCE else None


def find_hands(photo: Pyramid, poses: Sequence[NDArray[np.float32]]) -> tuple[Hand, ...]:
    """Every distinct hand, most confident first (at most four)."""
    found: list[RawHand] = []
    missed: list[Roi] = []
    for region, rough in candidate_regions(photo, poses):
        if rough and any(_covers(kept, region) for kept in found):
            continue  # the palm detector already found the hand this wrist belongs to
        hand = _look(photo, region, rough)
        if hand is None:
            if rough:
                missed.append(region)
        else:
            _keep(found, hand)
    for region in missed:
        # The pose saw a wrist but the crop it suggests shows no hand: let the palm
        # detector look closer around it, for a hand turned or sized unlike the guess.
        around = Roi(region.cx, region.cy, 2 * region.width, 2 * region.width)
        for crop in palm_regions(photo, around):
            hand = _look(photo, crop, rough=False)
            if hand is not None:
                _keep(found, hand)
    found.sort(key=lambda hand: hand.presence, reverse=True)
    return tuple(describe(hand, poses) for hand in found[:_MAX_HANDS])


def _keep(found: list[RawHand], hand: RawHand) -> None:
    """Add a hand, or let it replace a less sure result for the same hand."""
    for index, kept in enumerate(found):
        if _same_hand(hand, kept):
            if hand.presence > kept.presence:
                found[index] = hand
            return
    found.append(hand)

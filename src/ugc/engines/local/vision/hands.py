"""Hands: where to look (palm detector, pose wrists), then 21 landmarks per hand."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.vision import runtime
from ugc.engines.local.vision.crops import Pyramid, Roi, angle_to_vertical, cut
from ugc.engines.local.vision.models import HAND_LANDMARK, PALM_DETECTION
from ugc.engines.local.vision.ssd import decode, weighted_nms

# palm_detection_cpu.pbtxt: 192x192 letterboxed input in 0..1, anchors of strides 8, 16,
# 16, 16; keypoint 0 is the wrist centre, 2 the middle finger's base.
_PALM_SIZE = 192
_PALM_STRIDES = (8, 16, 16, 16)
_PALM_MIN_SCORE = 0.5
# palm_detection_detection_to_roi.pbtxt: the hand crop turned fingers-up, shifted half a
# palm towards the fingers and grown 2.6 times.
_PALM_SCALE, _PALM_SHIFT = 2.6, -0.5
# hand_landmark_landmarks_to_roi.pbtxt: the crop around found landmarks, for a second look.
_LANDMARK_SCALE, _LANDMARK_SHIFT = 2.0, -0.1
# hand_landmarks_from_pose_to_recrop_roi.pbtxt: a crop from the pose's wrist, index, pinky.
_POSE_SCALE, _POSE_SHIFT = 2.7, -0.1
_POSE_MIN_VISIBILITY = 0.3
# hand_landmark_cpu.pbtxt: 224x224 input in 0..1, presence above 0.5.
_HAND_SIZE = 224
MIN_PRESENCE = 0.5
# The landmarks that outline the palm, used to place the second crop (the legacy subset
# HandLandmarksToRectCalculator was designed for: wrist, thumb base, finger bases and PIPs).
_PALM_OUTLINE = [0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18]
# Pose landmarks: (wrist, pinky, index) of the person's left and right hands.
_POSE_HANDS = {"left": (15, 17, 19), "right": (16, 18, 20)}


@dataclass(frozen=True, slots=True)
class RawHand:
    """The hand model's output for one crop, in photo pixels."""

    landmarks: NDArray[np.float32]  # (21, 3)
    world: NDArray[np.float32]  # (21, 3) metres, about the hand's centre
    presence: float
    left_score: float  # 0..1 that this is the person's own left hand
    roi: Roi


def palm_regions(photo: Pyramid, region: Roi) -> list[Roi]:
    """Hand crops from the palms the detector finds in an upright region of the photo."""
    roi = region.fitted(1.0)
    tensor = cut(photo, roi, (_PALM_SIZE, _PALM_SIZE), (0.0, 1.0))
    outputs = runtime.run(PALM_DETECTION, tensor)
    boxes = next(v for v in outputs.values() if v.shape[-1] == 18)[0]
    scores = next(v for v in outputs.values() if v.shape[-1] == 1)[0]
    crops = []
    for palm in weighted_nms(decode(boxes, scores, _PALM_SIZE, _PALM_STRIDES, _PALM_MIN_SCORE)):
        x, y, w, h = (float(v) for v in palm.box)
        (cx, cy), (wx, wy), _, (mx, my) = roi.to_photo(
            np.array([[x, y], *palm.keypoints[:3]], dtype=np.float32)
        )
        angle = angle_to_vertical(float(wx), float(wy), float(mx), float(my), math.pi / 2)
        upright = Roi(float(cx), float(cy), w * roi.width, h * roi.height, angle)
        crops.append(upright.transformed(scale=_PALM_SCALE, shift_y=_PALM_SHIFT))
    return crops


def pose_regions(pose: NDArray[np.float32]) -> list[Roi]:
    """Hand crops from the pose's wrist, index and pinky points, where it saw them."""
    crops = []
    for wrist_i, pinky_i, index_i in _POSE_HANDS.values():
        wrist, pinky, index = pose[wrist_i], pose[pinky_i], pose[index_i]
        if wrist[2] < _POSE_MIN_VISIBILITY:
            continue
        # The middle finger's base is estimated between index and pinky, nearer the index.
        middle = (2 * index[:2] + pinky[:2]) / 3
        size = 2 * math.hypot(*(middle - wrist[:2]))
        if size < 4:
            continue
        angle = angle_to_vertical(
            float(wrist[0]), float(wrist[1]), float(middle[0]), float(middle[1]), math.pi / 2
        )
        crops.append(
            Roi(float(middle[0]), float(middle[1]), size, size, angle).transformed(
                scale=_POSE_SCALE, shift_y=_POSE_SHIFT
            )
        )
    return crops


def landmarks_in(photo: Pyramid, roi: Roi, min_presence: float = MIN_PRESENCE) -> RawHand | None:
    """The hand in a crop, or None when the model is less sure than `min_presence`."""
    tensor = cut(photo, roi, (_HAND_SIZE, _HAND_SIZE), (0.0, 1.0), replicate=True)
    outputs = runtime.run(HAND_LANDMARK, tensor)
    # Outputs in the graph's order: landmarks, presence, handedness, world landmarks.
    raw, presence, handedness, world = (outputs[f"Identity{s}"] for s in ("", "_1", "_2", "_3"))
    score = float(presence.reshape(-1)[0])
    if score < min_presence:
        return None
    points = raw.reshape(21, 3) / np.float32(_HAND_SIZE)
    landmarks = np.empty((21, 3), dtype=np.float32)
    landmarks[:, :2] = roi.to_photo(points[:, :2])
    landmarks[:, 2] = points[:, 2] * roi.width
    # The model names hands as seen in a mirror (a selfie preview): its "left" is the
    # person's right hand in an ordinary photo.
    left_score = 1.0 - float(handedness.reshape(-1)[0])
    return RawHand(landmarks, world.reshape(21, 3), score, left_score, roi)


def landmark_region(hand: RawHand) -> Roi:
    """The crop that the found landmarks call for: turned fingers-up around the palm."""
    points = hand.landmarks[_PALM_OUTLINE, :2].astype(np.float64)
    wrist = points[0]
    # Towards the finger bases: the mean of index and ring, averaged with the middle one.
    tip = ((points[4] + points[8]) / 2 + points[6]) / 2
    angle = angle_to_vertical(wrist[0], wrist[1], tip[0], tip[1], math.pi / 2)
    centre = (points.max(axis=0) + points.min(axis=0)) / 2
    cos, sin = math.cos(-angle), math.sin(-angle)
    rel = points - centre
    turned = np.stack([rel[:, 0] * cos - rel[:, 1] * sin, rel[:, 0] * sin + rel[:, 1] * cos], 1)
    low, high = turned.min(axis=0), turned.max(axis=0)
    mid = (low + high) / 2
    cos, sin = math.cos(angle), math.sin(angle)
    cx = centre[0] + mid[0] * cos - mid[1] * sin
    cy = centre[1] + mid[0] * sin + mid[1] * cos
    width, height = (high - low).tolist()
    return Roi(float(cx), float(cy), max(width, 1.0), max(height, 1.0), angle).transformed(
        scale=_LANDMARK_SCALE, shift_y=_LANDMARK_SHIFT
    )


# Finger joints (base, PIP, DIP, tip) of the four fingers, for how curled they are.
_FINGERS = ((5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
# Summed bend of a finger's three joints: an open hand bends each finger by ~0-40 degrees in
# all, a hand around a bottle or a phone by ~120-200.
_OPEN_BEND = math.radians(45)
_GRIP_BEND = math.radians(160)


def _bend(world: NDArray[np.float32], joints: tuple[int, int, int, int]) -> float:
    """The sum of the angles a finger turns at its three joints (0: straight)."""
    chain = world[[0, *joints]].astype(np.float64)
    total = 0.0
    for i in range(1, 4):
        a, b = chain[i] - chain[i - 1], chain[i + 1] - chain[i]
        norm = float(np.linalg.norm(a) * np.linalg.norm(b))
        if norm > 0:
            total += math.acos(max(-1.0, min(1.0, float(np.dot(a, b)) / norm)))
    return total


def holding(world: NDArray[np.float32]) -> float:
    """0..1: how curled the four fingers are, as in a hand that already grips something."""
    bend = float(np.mean([_bend(world, joints) for joints in _FINGERS]))
    return max(0.0, min(1.0, (bend - _OPEN_BEND) / (_GRIP_BEND - _OPEN_BEND)))

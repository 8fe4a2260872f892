"""What the vision stage finds in a person photo: mask, body points, hands and faces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

# Hand landmark indices (MediaPipe order).
WRIST = 0
THUMB_TIP = 4
INDEX_MCP = 5
INDEX_TIP = 8
MIDDLE_MCP = 9
MIDDLE_TIP = 12
RING_MCP = 13
PINKY_MCP = 17
PINKY_TIP = 20

# Pose landmark indices (MediaPipe BlazePose order; left/right are the person's own).
NOSE = 0
LEFT_SHOULDER = 11
RIGHT_SHOULDER = 12
LEFT_WRIST = 15
RIGHT_WRIST = 16
LEFT_HIP = 23
RIGHT_HIP = 24

# A mask value at or above this counts as the person.
MASK_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class Hand:
    """One detected hand: 21 points in photo pixels and what they say about its shape."""

    # (21, 3) float32: x, y in photo pixels, z relative depth (smaller is nearer the camera),
    # MediaPipe order: 0 wrist, 1-4 thumb, 5-8 index, 9-12 middle, 13-16 ring, 17-20 pinky.
    landmarks: np.ndarray
    handedness: Literal["left", "right"]  # the person's own hand
    score: float  # 0..1 presence
    palm_width: float  # px, index MCP (5) to pinky MCP (17)
    palm_length: float  # px, wrist (0) to middle MCP (9)
    axis: tuple[float, float]  # unit vector wrist -> middle MCP, image coordinates
    holding: float  # 0..1: curled fingers, as a hand that already grips something
    handedness_score: float = 1.0  # 0.5..1 how sure the left/right call is

    def box(self) -> tuple[float, float, float, float]:
        """The landmarks' bounding box: x, y, w, h in photo pixels."""
        xy = self.landmarks[:, :2]
        x0, y0 = xy.min(axis=0)
        x1, y1 = xy.max(axis=0)
        return float(x0), float(y0), float(x1 - x0), float(y1 - y0)

    def centre(self) -> tuple[float, float]:
        """The palm's centre: the mean of the wrist and the four finger bases."""
        points = self.landmarks[[WRIST, INDEX_MCP, MIDDLE_MCP, RING_MCP, PINKY_MCP], :2]
        x, y = points.mean(axis=0)
        return float(x), float(y)


@dataclass(frozen=True, slots=True)
class Face:
    """One detected face."""

    box: tuple[float, float, float, float]  # x, y, w, h in photo pixels
    score: float
    # (468, 2) float32 photo pixels, or None when the mesh did not run or found no face.
    landmarks: np.ndarray | None
    # (6, 2) float32 photo pixels: the person's right eye, left eye, nose tip, mouth centre,
    # right ear tragion, left ear tragion.
    keypoints: np.ndarray | None = None


@dataclass(frozen=True, slots=True)
class PersonVision:
    """Everything the vision stage found in one person photo, in that photo's pixels."""

    width: int  # of the analysed photo
    height: int
    mask: np.ndarray  # (height, width) float32 0..1 person (hair included)
    # (33, 3) float32: x, y photo pixels, visibility 0..1; None when no body was found.
    pose: np.ndarray | None
    hands: tuple[Hand, ...]
    faces: tuple[Face, ...]
    # How much the analysed photo was scaled down from the one given (1.0: not at all).
    scale: float = 1.0

    def person_box(self) -> tuple[int, int, int, int] | None:
        """The bounding box x, y, w, h of the person mask, or None when it is empty."""
        solid = self.mask >= MASK_THRESHOLD
        rows = np.flatnonzero(solid.any(axis=1))
        if rows.size == 0:
            return None
        cols = np.flatnonzero(solid.any(axis=0))
        y0, y1 = int(rows[0]), int(rows[-1]) + 1
        x0, x1 = int(cols[0]), int(cols[-1]) + 1
        return x0, y0, x1 - x0, y1 - y0

    def coverage(self) -> float:
        """The share of the photo the person covers, 0..1."""
        return float((self.mask >= MASK_THRESHOLD).mean())

    def wrist(
        self, side: Literal["left", "right"], min_visibility: float = 0.5
    ) -> tuple[float, float] | None:
        """The pose's wrist on the person's own side, or None when unseen."""
        if self.pose is None:
            return None
        point = self.pose[LEFT_WRIST if side == "left" else RIGHT_WRIST]
        if point[2] < min_visibility:
            return None
        return float(point[0]), float(point[1])

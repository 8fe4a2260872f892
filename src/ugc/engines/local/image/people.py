"""What the image stage knows of the person: faces, hands and mask, from the vision stage."""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.image.faces import find_face
from ugc.engines.local.kit.geometry import Box

Side = Literal["left", "right"]
Source = Literal["vision", "faces"]
# MediaPipe's hand points: the wrist and the four knuckles around the palm.
_PALM = (0, 5, 9, 13, 17)


class HandLike(Protocol):
    """The fields of the vision stage's Hand that staging reads."""

    @property
    def landmarks(self) -> NDArray[Any]: ...
    @property
    def handedness(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def holding(self) -> float: ...


class FaceLike(Protocol):
    """The fields of the vision stage's Face that staging reads."""

    @property
    def box(self) -> tuple[float, float, float, float]: ...
    @property
    def score(self) -> float: ...


class VisionLike(Protocol):
    """The fields of the vision stage's PersonVision that staging reads."""

    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def mask(self) -> NDArray[Any]: ...
    @property
    def hands(self) -> Sequence[HandLike]: ...
    @property
    def faces(self) -> Sequence[FaceLike]: ...


@dataclass(frozen=True, slots=True)
class HandPose:
    """One hand: its 21 points (x, y) in the current pixel frame, side and grip state."""

    points: NDArray[np.float32]
    side: Side
    score: float
    holding: float

    @property
    def palm_centre(self) -> tuple[float, float]:
        """Mean of the wrist and the four knuckles."""
        x, y = self.points[list(_PALM)].mean(axis=0)
        return float(x), float(y)

    @property
    def palm_width(self) -> float:
        """Index knuckle to little-finger knuckle, in pixels."""
        return float(np.linalg.norm(self.points[5] - self.points[17]))

    @property
    def palm_length(self) -> float:
        """Wrist to middle knuckle, in pixels."""
        return float(np.linalg.norm(self.points[9] - self.points[0]))

    @property
    def axis(self) -> tuple[float, float]:
        """Unit vector from the wrist to the middle knuckle."""
        dx, dy = (self.points[9] - self.points[0]).tolist()
        length = math.hypot(dx, dy) or 1.0
        return dx / length, dy / length

    @property
    def box(self) -> Box:
        """The box around every point of the hand."""
        x0, y0 = self.points.min(axis=0).tolist()
        x1, y1 = self.points.max(axis=0).tolist()
        return Box(x0, y0, x1 - x0, y1 - y0)

    def mapped(self, scale: float, dx: float, dy: float) -> HandPose:
        """The hand after the photo is scaled by `scale` and shifted by (dx, dy)."""
        moved = (self.points * np.float32(scale) + np.array([dx, dy], np.float32)).astype(
            np.float32
        )
        return replace(self, points=moved)


@dataclass(frozen=True, slots=True)
class Person:
    """The person photo seen once: main face, other faces, hands and the person mask."""

    face: Box | None
    faces: tuple[Box, ...]  # every face, the main one first
    hands: tuple[HandPose, ...]
    mask: NDArray[np.float32] | None  # (h, w) 0..1 at the photo's size, or None
    source: Source


def _hand(hand: HandLike) -> HandPose:
    points = np.asarray(hand.landmarks, np.float32)[:, :2].copy()
    side: Side = "left" if str(hand.handedness).lower().startswith("l") else "right"
    return HandPose(points, side, float(hand.score), float(hand.holding))


def from_vision(vision: VisionLike) -> Person:
    """The staging view of the vision stage's result (same pixel frame as the photo)."""
    ranked = sorted(vision.faces, key=lambda f: f.box[2] * f.box[3] * f.score, reverse=True)
    faces = tuple(Box(*(float(v) for v in face.box)) for face in ranked)
    mask = None if vision.mask is None else np.asarray(vision.mask, np.float32)
    hands = tuple(_hand(hand) for hand in vision.hands if len(hand.landmarks) >= 21)
    return Person(faces[0] if faces else None, faces, hands, mask, "vision")


def _at_photo_size(person: Person, factor: float, rgb: NDArray[np.uint8]) -> Person:
    # The vision stage may look at a scaled-down copy of a very large photo.
    if abs(factor - 1.0) < 1e-6:
        return person
    mask = person.mask
    if mask is not None:
        size = (rgb.shape[1], rgb.shape[0])
        mask = np.asarray(cv2.resize(mask, size, interpolation=cv2.INTER_LINEAR), np.float32)
    faces = tuple(face.scaled(factor) for face in person.faces)
    return replace(
        person,
        face=faces[0] if faces else None,
        faces=faces,
        hands=tuple(hand.mapped(factor, 0.0, 0.0) for hand in person.hands),
        mask=mask,
    )


def _analyser() -> Any | None:
    # The vision stage is optional at import time: without it (or its models) the Haar
    # face finder still frames the photo and the product is staged without hands.
    try:
        module = importlib.import_module("ugc.engines.local.vision")
    except ImportError:
        return None
    return getattr(module, "analyse_person", None)


def look_at_person(rgb: NDArray[np.uint8]) -> tuple[Person, Any | None]:
    """Run the vision stage once on the photo; returns the staging view and the raw result."""
    analyse = _analyser()
    if analyse is None:
        face = find_face(rgb)
        return Person(face, () if face is None else (face,), (), None, "faces"), None
    vision = analyse(rgb)
    person = _at_photo_size(from_vision(vision), rgb.shape[1] / max(1, int(vision.width)), rgb)
    if person.face is None:
        # The cascades catch some faces (profiles, small) that a short-range model misses.
        face = find_face(rgb)
        person = replace(person, face=face, faces=() if face is None else (face,))
    return person, vision

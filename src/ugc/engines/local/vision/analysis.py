"""The vision pipeline: body, faces, hands, then the person mask they confirm."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import f32, u8
from ugc.engines.local.vision.crops import Pyramid, Roi
from ugc.engines.local.vision.face import faces_in, find_faces
from ugc.engines.local.vision.hand_search import find_hands
from ugc.engines.local.vision.pose import Body, body_mask, find_bodies
from ugc.engines.local.vision.segmentation import keep_people, mask_grid, person_mask
from ugc.engines.local.vision.types import (
    LEFT_HIP,
    LEFT_SHOULDER,
    NOSE,
    RIGHT_HIP,
    RIGHT_SHOULDER,
    Face,
    Hand,
    PersonVision,
)

# Bigger photos are scaled down to this first: the models see at most a few hundred pixels,
# and a full-size mask of a 40-megapixel photo would cost 160 MB.
MAX_SIDE = 2048
# Body points that lie on the person's silhouette when seen (nose, shoulders, hips).
_TORSO = (NOSE, LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_HIP, RIGHT_HIP)
# A body whose region spans this share of the photo's long side or more is a close-up;
# under 0.4 less than that, one seen whole.
_CLOSE_UP = 1.2


def as_rgb(photo: NDArray[np.generic]) -> NDArray[np.uint8]:
    """The photo as (h, w, 3) uint8 RGB: grey and RGBA photos are converted."""
    if photo.dtype != np.uint8:
        raise ValueError(f"analyse_person needs a uint8 photo, not {photo.dtype}")
    if photo.ndim == 2 or (photo.ndim == 3 and photo.shape[2] == 1):
        return u8(cv2.cvtColor(u8(photo.reshape(photo.shape[:2])), cv2.COLOR_GRAY2RGB))
    if photo.ndim == 3 and photo.shape[2] == 4:
        return np.ascontiguousarray(photo[:, :, :3])
    if photo.ndim == 3 and photo.shape[2] == 3:
        return np.ascontiguousarray(photo)
    raise ValueError(f"analyse_person needs an (h, w, 3) photo, not {photo.shape}")


def bounded(photo: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    """The photo scaled down to at most MAX_SIDE, and the scale applied."""
    height, width = photo.shape[:2]
    longest = max(height, width)
    if longest <= MAX_SIDE:
        return photo, 1.0
    scale = MAX_SIDE / longest
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return u8(cv2.resize(photo, size, interpolation=cv2.INTER_AREA)), scale


def _centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
    return box[0] + box[2] / 2, box[1] + box[3] / 2


def _head_region(body: Body) -> Roi | None:
    """A square around the head of a body, sized for the face detector, when it is seen."""
    points = body.points
    nose, ears, shoulders = points[NOSE], points[[7, 8]], points[[LEFT_SHOULDER, RIGHT_SHOULDER]]
    if nose[2] < 0.5:
        return None
    ear_span = float(np.linalg.norm(ears[0, :2] - ears[1, :2]))
    shoulder_span = float(np.linalg.norm(shoulders[0, :2] - shoulders[1, :2]))
    side = max(3.0 * ear_span, 0.8 * shoulder_span, 24.0)
    return Roi(float(nose[0]), float(nose[1]), side, side)


def faces_near_heads(
    photo: Pyramid, bodies: list[Body], faces: tuple[Face, ...]
) -> tuple[Face, ...]:
    """Faces found in a closer look at each body's head that the whole-photo search missed."""
    extra: list[Face] = []
    for body in bodies:
        head = _head_region(body)
        if head is None or any(_holds(face, head.cx, head.cy) for face in (*faces, *extra)):
            continue
        extra.extend(faces_in(photo, head)[:1])
    return tuple(extra)


def _holds(face: Face, x: float, y: float) -> bool:
    fx, fy, fw, fh = face.box
    return fx <= x <= fx + fw and fy <= y <= fy + fh


def _anchors(
    bodies: list[Body], faces: tuple[Face, ...], hands: tuple[Hand, ...]
) -> NDArray[np.float32]:
    """Points that detectors saw on a person: face centres, palms, visible torso points."""
    points = [_centre(face.box) for face in faces] + [hand.centre() for hand in hands]
    for body in bodies:
        for index in _TORSO:
            x, y, visibility = body.points[index]
            if visibility >= 0.5:
                points.append((float(x), float(y)))
    return np.array(points, dtype=np.float32).reshape(-1, 2)


def _mask(photo: Pyramid, bodies: list[Body], anchors: NDArray[np.float32]) -> NDArray[np.float32]:
    """The person mask at the photo's size, made and cleaned at a small size first."""
    height, width = photo.photo.shape[:2]
    grid = mask_grid(width, height)
    mask = person_mask(photo, grid)
    for body in bodies:
        # The selfie model is made for people near the camera: a body seen whole and small
        # comes out as a blur taking in what surrounds it. Inside such a body's region the
        # pose model's own mask (sharp there) takes over; for a close-up, the selfie mask
        # stays (it keeps hair and what the hands hold).
        share = min(1.0, max(0.0, (_CLOSE_UP - body.roi.width / max(width, height)) / 0.4))
        if share > 0:
            own, region = body_mask(body, (width, height), grid)
            weight = region * np.float32(share)
            mask = mask * (1 - weight) + own * weight
    factor = np.array([grid[0] / width, grid[1] / height], dtype=np.float32)
    mask = keep_people(mask, (anchors + 0.5) * factor - 0.5)
    if grid == (width, height):
        return mask
    return f32(cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR))


def analyse_person(photo_rgb: NDArray[np.generic]) -> PersonVision:
    """Mask, pose, hands and faces of a person photo (sync, CPU, thread-safe).

    Coordinates are in the analysed photo's pixels: the given photo, or for one larger than
    MAX_SIDE, that photo scaled down by `scale` (width and height say which).
    """
    image, scale = bounded(as_rgb(photo_rgb))
    height, width = image.shape[:2]
    photo = Pyramid(image)
    faces = find_faces(photo, tiles=False)
    # The nearest (largest) body first: its pose is the one reported.
    bodies = find_bodies(photo, faces)
    faces += faces_near_heads(photo, bodies, faces)
    if not faces:
        faces = find_faces(photo)  # small faces with no body seen: search in tiles
        bodies = bodies or find_bodies(photo, faces)
    faces = tuple(sorted(faces, key=_area, reverse=True))
    hands = find_hands(photo, [body.points for body in bodies])
    mask = _mask(photo, bodies, _anchors(bodies, faces, hands))
    return PersonVision(
        width=width,
        height=height,
        mask=mask,
        pose=bodies[0].points if bodies else None,
        hands=hands,
        faces=faces,
        scale=scale,
    )


def _area(face: Face) -> float:
    return face.box[2] * face.box[3]

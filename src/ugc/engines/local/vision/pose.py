"""The body: BlazePose detection, then the 33 pose landmarks (full model) of the main person."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import f32
from ugc.engines.local.vision import runtime
from ugc.engines.local.vision.crops import Pyramid, Roi, affine, angle_to_vertical, cut
from ugc.engines.local.vision.face import square_tiles
from ugc.engines.local.vision.models import POSE_DETECTION, POSE_LANDMARK
from ugc.engines.local.vision.ssd import decode, weighted_nms
from ugc.engines.local.vision.types import Face

# pose_detection_cpu.pbtxt: 224x224 letterboxed input in -1..1, anchors of strides
# 8, 16, 32, 32, 32; keypoint 0 is the hip centre, 1 a point on the circle holding the body.
_DETECTOR_SIZE = 224
_DETECTOR_STRIDES = (8, 16, 32, 32, 32)
_MIN_SCORE = 0.5
# pose_detection_to_roi.pbtxt: the body circle turned upright, grown 1.25 times;
# pose_landmark_by_roi_cpu.pbtxt: 256x256 input in 0..1.
_LANDMARK_SIZE = 256
_ROI_SCALE = 1.25
_MIN_PRESENCE = 0.5
_LANDMARKS = 33
# Photos this much wider than tall are also searched in square tiles.
_GROUP_ASPECT = 1.3


@dataclass(frozen=True, slots=True)
class Body:
    """One person's pose: (33, 3) x, y photo pixels and visibility; and their own mask."""

    points: NDArray[np.float32]
    score: float
    roi: Roi
    mask: NDArray[np.float32]  # (256, 256) 0..1 over the region `roi`


def _sigmoid(values: NDArray[np.float32]) -> NDArray[np.float32]:
    return f32(1.0 / (1.0 + np.exp(-np.clip(values.astype(np.float64), -60, 60))))


def body_regions(photo: Pyramid, region: Roi, limit: int = 2) -> list[tuple[float, Roi]]:
    """Regions holding a body each, found in an upright region of the photo, best first."""
    roi = region.fitted(1.0)
    tensor = cut(photo, roi, (_DETECTOR_SIZE, _DETECTOR_SIZE), (-1.0, 1.0))
    outputs = runtime.run(POSE_DETECTION, tensor)
    boxes, scores = _by_shape(outputs)
    found = decode(boxes, scores, _DETECTOR_SIZE, _DETECTOR_STRIDES, _MIN_SCORE)
    regions = []
    for detection in weighted_nms(found)[:limit]:
        (hx, hy), (sx, sy) = roi.to_photo(detection.keypoints[:2])
        size = 2 * math.hypot(float(sx - hx), float(sy - hy))
        angle = angle_to_vertical(float(hx), float(hy), float(sx), float(sy), math.pi / 2)
        body = Roi(float(hx), float(hy), size, size, angle).transformed(scale=_ROI_SCALE)
        regions.append((detection.score, body))
    return regions


def _by_shape(
    outputs: dict[str, NDArray[np.float32]],
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The detector's (N, 12) boxes and (N, 1) scores, told apart by their shapes."""
    boxes = next(v for v in outputs.values() if v.shape[-1] == 12)
    scores = next(v for v in outputs.values() if v.shape[-1] == 1)
    return boxes[0], scores[0]


def landmarks_in(photo: Pyramid, roi: Roi) -> Body | None:
    """The pose in a body region, or None when the model sees no body there."""
    tensor = cut(photo, roi, (_LANDMARK_SIZE, _LANDMARK_SIZE), (0.0, 1.0), replicate=True)
    outputs = runtime.run(POSE_LANDMARK, tensor)
    presence = float(next(v for v in outputs.values() if v.shape == (1, 1)).reshape(-1)[0])
    if presence < _MIN_PRESENCE:
        return None
    raw = next(v for v in outputs.values() if v.shape == (1, 195)).reshape(39, 5)
    segmentation = next(v for v in outputs.values() if v.shape == (1, 256, 256, 1))
    points = np.empty((_LANDMARKS, 3), dtype=np.float32)
    points[:, :2] = roi.to_photo(raw[:_LANDMARKS, :2] / np.float32(_LANDMARK_SIZE))
    points[:, 2] = _sigmoid(raw[:_LANDMARKS, 3])
    mask = _sigmoid(segmentation[0, :, :, 0])
    return Body(points, presence, roi, mask)


def find_bodies(photo: Pyramid, faces: Sequence[Face] = (), limit: int = 3) -> list[Body]:
    """The pose of each person found (at most `limit`), the nearest (largest) first.

    The detector sees the photo at 224 pixels, where a second, smaller person may not
    show; a face that no body's head is near gets a search of its own, below it.
    """
    height, width = photo.photo.shape[:2]
    regions = [Roi.whole(width, height)]
    if width >= _GROUP_ASPECT * height:
        # Wide photos are where people stand side by side, each too small for one look.
        regions = square_tiles(width, height)
    bodies: list[Body] = []
    for region in regions:
        for _, roi in body_regions(photo, region, limit=2):
            if len(bodies) < limit and not any(_same_body(roi, body.roi) for body in bodies):
                body = landmarks_in(photo, roi)
                if body is not None:
                    bodies.append(body)
    for face in faces:
        if len(bodies) >= limit or any(_head_in(face, body) for body in bodies):
            continue
        x, y, w, h = face.box
        # A standing person spans about eight heads; search a square reaching their feet.
        side = 8.0 * h
        region = Roi(x + w / 2, y + h / 2 + 3.0 * h, side, side)
        for _, roi in body_regions(photo, region, limit=1):
            body = landmarks_in(photo, roi)
            if body is not None and _head_in(face, body):
                bodies.append(body)
    bodies.sort(key=lambda body: body.roi.width, reverse=True)
    return bodies


def _same_body(a: Roi, b: Roi) -> bool:
    return math.hypot(a.cx - b.cx, a.cy - b.cy) < 0.3 * max(a.width, b.width)


def _head_in(face: Face, body: Body) -> bool:
    """True when the body's nose lies in the face box (grown by half)."""
    x, y, w, h = face.box
    nx, ny = float(body.points[0, 0]), float(body.points[0, 1])
    return x - w / 2 <= nx <= x + 1.5 * w and y - h / 2 <= ny <= y + 1.5 * h


def body_mask(
    body: Body, photo_size: tuple[int, int], grid: tuple[int, int]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """The pose model's own person mask laid back onto the photo at the `grid` size, and
    where its region lies (1 inside, 0 outside)."""
    forward = affine(body.roi, _LANDMARK_SIZE, _LANDMARK_SIZE)
    rx, ry = grid[0] / photo_size[0], grid[1] / photo_size[1]
    forward[0] *= rx
    forward[1] *= ry
    forward[:, 2] += (0.5 * rx - 0.5, 0.5 * ry - 0.5)
    planes = np.dstack([body.mask, np.ones_like(body.mask)])
    laid = cv2.warpAffine(
        planes,
        forward,
        grid,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0.0, 0.0, 0.0, 0.0),
    )
    return f32(laid[:, :, 0]), f32(laid[:, :, 1])

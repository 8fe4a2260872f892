"""Faces: BlazeFace short-range detection, then the 468-point face mesh on each face."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.vision import runtime
from ugc.engines.local.vision.crops import Pyramid, Roi, angle_to_vertical, cut
from ugc.engines.local.vision.models import FACE_DETECTION, FACE_MESH
from ugc.engines.local.vision.ssd import Detection, decode, weighted_nms
from ugc.engines.local.vision.types import Face

# face_detection_short_range.pbtxt: 128x128 letterboxed input in -1..1, anchors of strides
# 8, 16, 16, 16; six keypoints per face.
_DETECTOR_SIZE = 128
_DETECTOR_STRIDES = (8, 16, 16, 16)
_MIN_SCORE = 0.5
# face_detection_front_detection_to_roi.pbtxt: the mesh crop turns the eye line level and
# is 1.5 times the face box; face_landmark_cpu.pbtxt: 192x192 input in 0..1.
_MESH_SIZE = 192
_MESH_SCALE = 1.5
_MESH_MIN_PRESENCE = 0.5
_MAX_FACES = 4
# Photos this much longer than wide (or the reverse) are also searched in square tiles.
_TILE_ASPECT = 1.3


def to_photo(detection: Detection, roi: Roi) -> tuple[Roi, NDArray[np.float32]]:
    """A detection made on an upright region as a box (Roi) and keypoints in photo pixels."""
    x, y, w, h = (float(v) for v in detection.box)
    (centre,) = roi.to_photo(np.array([[x, y]], dtype=np.float32))
    box = Roi(float(centre[0]), float(centre[1]), w * roi.width, h * roi.height)
    return box, roi.to_photo(detection.keypoints)


def detect_in(photo: Pyramid, region: Roi) -> list[tuple[float, Roi, NDArray[np.float32]]]:
    """Faces in an upright region of the photo: score, box and keypoints in photo pixels."""
    roi = region.fitted(1.0)
    tensor = cut(photo, roi, (_DETECTOR_SIZE, _DETECTOR_SIZE), (-1.0, 1.0))
    outputs = runtime.run(FACE_DETECTION, tensor)
    found = decode(
        outputs["regressors"][0],
        outputs["classificators"][0],
        _DETECTOR_SIZE,
        _DETECTOR_STRIDES,
        _MIN_SCORE,
    )
    faces = []
    for detection in weighted_nms(found)[:_MAX_FACES]:
        box, keypoints = to_photo(detection, roi)
        faces.append((detection.score, box, keypoints))
    return faces


def mesh(photo: Pyramid, box: Roi, keypoints: NDArray[np.float32]) -> NDArray[np.float32] | None:
    """(468, 2) face mesh points in photo pixels, or None when the mesh sees no face."""
    (rx, ry), (lx, ly) = keypoints[0], keypoints[1]
    angle = angle_to_vertical(float(rx), float(ry), float(lx), float(ly), 0.0)
    roi = Roi(box.cx, box.cy, box.width, box.height, angle).transformed(scale=_MESH_SCALE)
    tensor = cut(photo, roi, (_MESH_SIZE, _MESH_SIZE), (0.0, 1.0))
    outputs = runtime.run(FACE_MESH, tensor)
    points = outputs["conv2d_21"].reshape(468, 3)
    presence = 1.0 / (1.0 + math.exp(-float(outputs["conv2d_31"].reshape(-1)[0])))
    if presence < _MESH_MIN_PRESENCE:
        return None
    return roi.to_photo(points[:, :2] / np.float32(_MESH_SIZE))


def square_tiles(width: int, height: int) -> list[Roi]:
    """The whole photo, then for an elongated one, overlapping squares along its long side."""
    regions = [Roi.whole(width, height)]
    short, long = min(width, height), max(width, height)
    if long < _TILE_ASPECT * short:
        return regions
    count = math.ceil(long / short)  # overlapping by at least a little
    step = (long - short) / (count - 1) if count > 1 else 0.0
    for index in range(count):
        offset = short / 2 + index * step
        cx, cy = (offset, height / 2) if width > height else (width / 2, offset)
        regions.append(Roi(cx, cy, float(short), float(short)))
    return regions


def find_faces(photo: Pyramid, *, with_mesh: bool = True, tiles: bool = True) -> tuple[Face, ...]:
    """Every face the detector finds in the photo, largest first.

    The detector sees 128 pixels: in a tall or wide photo the letterboxed whole may leave
    a face too few of them; when it finds none, square tiles along the long side are
    searched. (Small faces of people whose body shows are found through their head.)
    """
    height, width = photo.photo.shape[:2]
    whole, *square = square_tiles(width, height)
    found = detect_in(photo, whole)
    if not found and tiles:
        for region in square:
            for candidate in detect_in(photo, region):
                if not any(_overlap(candidate[1], kept[1]) > 0.3 for kept in found):
                    found.append(candidate)
    return _faces(photo, found, with_mesh)


def _overlap(a: Roi, b: Roi) -> float:
    """Intersection over union of two upright boxes."""
    ix = max(
        0.0,
        min(a.cx + a.width / 2, b.cx + b.width / 2) - max(a.cx - a.width / 2, b.cx - b.width / 2),
    )
    iy = max(
        0.0,
        min(a.cy + a.height / 2, b.cy + b.height / 2)
        - max(a.cy - a.height / 2, b.cy - b.height / 2),
    )
    inter = ix * iy
    union = a.width * a.height + b.width * b.height - inter
    return inter / union if union > 0 else 0.0


def faces_in(photo: Pyramid, region: Roi, *, with_mesh: bool = True) -> tuple[Face, ...]:
    """Every face the detector finds in an upright region of the photo, largest first."""
    return _faces(photo, detect_in(photo, region), with_mesh)


def _faces(
    photo: Pyramid,
    found: list[tuple[float, Roi, NDArray[np.float32]]],
    with_mesh: bool,
) -> tuple[Face, ...]:
    faces = []
    for score, box, keypoints in found[:_MAX_FACES]:
        landmarks = mesh(photo, box, keypoints) if with_mesh else None
        faces.append(
            Face(
                box=(box.cx - box.width / 2, box.cy - box.height / 2, box.width, box.height),
                score=score,
                landmarks=landmarks,
                keypoints=keypoints,
            )
        )
    faces.sort(key=lambda face: face.box[2] * face.box[3], reverse=True)
    return tuple(faces)

"""Finding the face in the person photo with the Haar cascades OpenCV ships."""

from __future__ import annotations

import threading

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.kit.geometry import Box

# Tried in order with the photo's longer side scaled to the given size; the first cascade
# that finds a face wins. The frontal pass runs largest (it must catch small faces: 24 px at
# 800 is 3% of the photo); the fallbacks run smaller because they only matter for
# faces the first pass missed. Profile faces are tried on the photo and its mirror because
# the cascade only knows faces turned one way.
_CASCADES = (
    ("haarcascade_frontalface_default.xml", 800),
    ("haarcascade_frontalface_alt2.xml", 480),
    ("haarcascade_profileface.xml", 400),
)
# A classifier must not run in two threads at once. Loading one costs ~0.1 s, so rather
# than one set per worker thread there is one shared set behind a lock (a search takes
# a fraction of that, and only one runs per image).
_CASCADE_DIR: str = cv2.data.haarcascades  # type: ignore[attr-defined]
_lock = threading.Lock()
_loaded: list[cv2.CascadeClassifier] = []


def _classifiers() -> list[cv2.CascadeClassifier]:
    if not _loaded:
        _loaded.extend(cv2.CascadeClassifier(_CASCADE_DIR + name) for name, _ in _CASCADES)
    return _loaded


def _detect(
    classifier: cv2.CascadeClassifier,
    gray: NDArray[np.uint8],
    min_side: int = 24,
) -> list[Box]:
    found = classifier.detectMultiScale(
        gray,
        scaleFactor=1.15,
        minNeighbors=6,
        minSize=(min_side, min_side),
    )
    return [Box(float(x), float(y), float(w), float(h)) for x, y, w, h in found]


def _detect_frontal(classifier: cv2.CascadeClassifier, gray: NDArray[np.uint8]) -> list[Box]:
    # Most of a full search is spent on the smallest windows. A half-size pass tells how
    # big the face is; the full-size search then skips windows under half that size.
    # Every window it does try is tried exactly as in a full search (the scale ladder does
    # not depend on minSize), and windows that small never group with the face's, so the
    # face box comes out the same. When the half-size pass finds nothing, the full search
    # runs, for faces too small to see there.
    height, width = gray.shape
    half = u8(cv2.resize(gray, (width // 2, height // 2), interpolation=cv2.INTER_AREA))
    coarse = _detect(classifier, half)
    if coarse:
        smallest = min(box.w for box in coarse) * 2
        found = _detect(classifier, gray, max(24, round(0.5 * smallest)))
        if found:
            return found
    return _detect(classifier, gray)


def _best(boxes: list[Box], width: int, height: int) -> Box:
    # Prefer big faces near the upper centre: that is the subject, not a face in the crowd.
    def score(box: Box) -> float:
        off_centre = abs(box.cx / width - 0.5) + 0.5 * abs(box.cy / height - 0.4)
        return box.area * (1.2 - min(off_centre, 1.0))

    return max(boxes, key=score)


def _gray_at(rgb: NDArray[np.uint8], side: int) -> tuple[NDArray[np.uint8], float]:
    height, width = rgb.shape[:2]
    scale = min(1.0, side / max(height, width))
    small = (
        rgb
        if scale == 1.0
        else cv2.resize(
            rgb, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
        )
    )
    return u8(cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))), scale


def find_face(rgb: NDArray[np.uint8]) -> Box | None:
    """The main face in an RGB photo, in its pixel coordinates, or None."""
    with _lock:
        return _find_face_locked(rgb)


def _find_face_locked(rgb: NDArray[np.uint8]) -> Box | None:
    for index, classifier in enumerate(_classifiers()):
        gray, scale = _gray_at(rgb, _CASCADES[index][1])
        boxes = _detect_frontal(classifier, gray) if index == 0 else _detect(classifier, gray)
        if index == len(_CASCADES) - 1:
            width = gray.shape[1]
            mirrored = _detect(classifier, np.ascontiguousarray(gray[:, ::-1]))
            boxes += [Box(width - b.x - b.w, b.y, b.w, b.h) for b in mirrored]
        if boxes:
            return _best(boxes, gray.shape[1], gray.shape[0]).scaled(1 / scale)
    return None

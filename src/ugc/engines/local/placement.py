"""Choosing where and how big the product goes: beside or below the face, never over it."""

from __future__ import annotations

from dataclasses import dataclass

from ugc.engines.local.geometry import Box

# Product area as a share of the frame: the believable range is 3-45%; within it
# we aim for "held up to the camera", scaled from the face when there is one.
_MIN_AREA, _MAX_AREA = 0.03, 0.45
_TARGET_MIN, _TARGET_MAX = 0.08, 0.2
_FACE_AREA_RATIO = 1.8
_MARGIN = 0.04


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the product sits on the canvas (before tilt) and how it leans."""

    box: Box
    tilt_degrees: float


def _target_area(face: Box | None, frame_area: float) -> float:
    if face is None:
        return 0.14 * frame_area
    share = _FACE_AREA_RATIO * face.area / frame_area
    return min(max(share, _TARGET_MIN), _TARGET_MAX) * frame_area


def _size_for(area: float, aspect: float, width: int, height: int) -> tuple[float, float]:
    box_h = (area / aspect) ** 0.5
    box_w = box_h * aspect
    # Never more than ~45% of either side: a product is held, it does not fill the frame.
    fit = min(1.0, 0.45 * width / box_w, 0.5 * height / box_h)
    return box_w * fit, box_h * fit


def _candidates(face: Box, size: tuple[float, float]) -> list[tuple[Box, str]]:
    box_w, box_h = size
    gap = 0.24 * face.w  # clear of the keep-out zone around the face (0.18 w)
    out = []
    # Chin level down to chest level: where hands hold things up to a phone camera.
    for level in (0.55, 0.85, 1.15, 1.45, 1.8):
        cy = face.y + level * face.h + 0.25 * box_h
        out.append((Box(face.right + gap, cy - box_h / 2, box_w, box_h), "right"))
        out.append((Box(face.x - gap - box_w, cy - box_h / 2, box_w, box_h), "left"))
    # Below the face, slightly off-centre, for frames too narrow to hold it alongside.
    out.append((Box(face.cx - 0.35 * box_w, face.bottom + 0.6 * face.h, box_w, box_h), "below"))
    return out


def _fits(box: Box, width: int, height: int) -> bool:
    margin = _MARGIN * min(width, height)
    return (
        box.x >= margin
        and box.y >= margin
        and box.right <= width - margin
        and box.bottom <= height - margin
    )


def _score(box: Box, side: str, face: Box, photo: Box) -> float:
    # Prefer the viewer's right (most people hold things in their right hand), a product
    # that lies on the real photo rather than its extension, and a position near the chin.
    on_photo = box.intersection(photo) / box.area
    drop = (box.cy - face.cy) / face.h
    return on_photo * 2.0 - abs(drop - 1.3) * 0.5 + (0.3 if side == "right" else 0.0)


def _tilt(side: str) -> float:
    return {"right": -4.0, "left": 4.0}.get(side, 0.0)


def _search(
    face: Box, aspect: float, size: tuple[int, int], photo: Box, sides: set[str], min_share: float
) -> Placement | None:
    width, height = size
    keep_out = face.grown(0.18, 0.22)
    area = _target_area(face, width * height)
    while area >= min_share * width * height:
        fitting = [
            (box, side)
            for box, side in _candidates(face, _size_for(area, aspect, width, height))
            if side in sides and _fits(box, width, height) and box.intersection(keep_out) == 0
        ]
        if fitting:
            box, side = max(fitting, key=lambda item: _score(item[0], item[1], face, photo))
            return Placement(box, _tilt(side))
        area *= 0.85
    return None


def _beside_face(face: Box, aspect: float, size: tuple[int, int], photo: Box) -> Placement | None:
    # Held up beside the face is the UGC pose; below the chin only when the sides are
    # too tight for a product of a sensible size.
    beside = _search(face, aspect, size, photo, {"right", "left"}, 0.05)
    return beside or _search(face, aspect, size, photo, {"right", "left", "below"}, _MIN_AREA)


def _clamped(box_w: float, box_h: float, cx: float, cy: float, width: int, height: int) -> Box:
    margin = _MARGIN * min(width, height)
    x = min(max(cx - box_w / 2, margin), width - margin - box_w)
    y = min(max(cy - box_h / 2, margin), height - margin - box_h)
    return Box(x, y, box_w, box_h)


def _below_face(face: Box, aspect: float, width: int, height: int) -> Placement:
    # A face that fills the frame leaves only the strip under the chin.
    margin = _MARGIN * min(width, height)
    room_h = max(height - margin - (face.bottom + 0.08 * face.h), _MIN_AREA**0.5 * height)
    box_w, box_h = _size_for(_TARGET_MIN * width * height, aspect, width, height)
    fit = min(1.0, room_h / box_h)
    box_w, box_h = box_w * fit, box_h * fit
    cx = face.cx + 0.3 * box_w
    return Placement(_clamped(box_w, box_h, cx, height - margin - box_h / 2, width, height), 0.0)


def place_product(face: Box | None, aspect: float, size: tuple[int, int], photo: Box) -> Placement:
    """Pick the product's box and tilt on a canvas of `size` with the given face."""
    width, height = size
    if face is None:
        # No face: lower right third, where a hand would bring the product into shot.
        box_w, box_h = _size_for(_target_area(None, width * height), aspect, width, height)
        return Placement(_clamped(box_w, box_h, width * 0.64, height * 0.64, width, height), -3.0)
    beside = _beside_face(face, aspect, size, photo)
    return beside if beside is not None else _below_face(face, aspect, width, height)

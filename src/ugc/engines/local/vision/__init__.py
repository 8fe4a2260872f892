"""The vision stage: what a person photo shows (mask, body, hands, faces), computed once.

MediaPipe's TFLite models run on LiteRT; their graphs' pre- and post-processing (letterbox,
anchors, rotated crops, landmark decoding) is re-done here in typed code. `make models`
installs the model files; `check_models` refuses to start without them.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from ugc.engines.local.kit.arrays import u8
from ugc.engines.local.vision.face import find_faces
from ugc.engines.local.vision.models import ModelsUnavailable, check_models
from ugc.engines.local.vision.segmentation import keep_people, person_mask
from ugc.engines.local.vision.types import Face, Hand, PersonVision

__all__ = [
    "MAX_SIDE",
    "Face",
    "Hand",
    "ModelsUnavailable",
    "PersonVision",
    "analyse_person",
    "check_models",
]

# Bigger photos are scaled down to this first: the models see at most a few hundred pixels,
# and a full-size mask of a 40-megapixel photo would cost 160 MB.
MAX_SIDE = 2048


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


def analyse_person(photo_rgb: NDArray[np.generic]) -> PersonVision:
    """Mask, pose, hands and faces of a person photo (sync, CPU, thread-safe).

    Coordinates are in the analysed photo's pixels: the given photo, or for one larger than
    MAX_SIDE, that photo scaled down by `scale` (width and height say which).
    """
    photo, scale = bounded(as_rgb(photo_rgb))
    height, width = photo.shape[:2]
    faces = find_faces(photo)
    anchors = np.array([_centre(face.box) for face in faces], dtype=np.float32).reshape(-1, 2)
    mask = keep_people(person_mask(photo), anchors)
    return PersonVision(
        width=width,
        height=height,
        mask=mask,
        pose=None,
        hands=(),
        faces=faces,
        scale=scale,
    )

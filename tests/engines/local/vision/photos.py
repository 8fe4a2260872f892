"""Real photos of people for the vision tests, from packages, and what is where in them.

scikit-image's `astronaut` (NASA, public domain) and `camera` (CC0); Debian's opencv-doc
sample data (`data/messi5.jpg`, and the landscape
`hfs/data/001.jpg`; distributed with OpenCV under its BSD/Apache licence). CI installs
opencv-doc (.ci/run); elsewhere its photos' tests are skipped when it is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from numpy.typing import NDArray

from ugc.engines.local.vision import PersonVision, analyse_person

OPENCV_DATA = Path("/usr/share/doc/opencv-doc/examples")

_cache: dict[str, PersonVision] = {}


def opencv_photo(name: str) -> NDArray[np.uint8]:
    """An RGB sample photo from opencv-doc (required in CI, else the test is skipped)."""
    path = OPENCV_DATA / name
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: apt-get install opencv-doc")
        pytest.skip(f"{path} is missing (apt-get install opencv-doc)")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))


def photo(name: str) -> NDArray[np.uint8]:
    """A named sample photo as RGB (the `camera` photo stays grey, as it ships)."""
    if name == "astronaut":
        return np.asarray(skimage.data.astronaut())
    if name == "camera":
        return np.asarray(skimage.data.camera())
    return opencv_photo(name)


def analysed(name: str) -> PersonVision:
    """The analysis of a sample photo, computed once per test process."""
    if name not in _cache:
        _cache[name] = analyse_person(photo(name))
    return _cache[name]


def inside(
    point: NDArray[np.float32] | tuple[float, float], box: tuple[int, int, int, int]
) -> bool:
    """True when the point lies in the box x0, y0, x1, y1."""
    x, y = float(point[0]), float(point[1])
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]

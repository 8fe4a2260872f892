"""Real photos of people for the vision tests, from packages.

scikit-image's `astronaut` (NASA, public domain) and `camera` (CC0); Debian's opencv-doc
(OpenCV's sample data and tutorial pictures, distributed with OpenCV under its BSD/Apache
licence): `examples/data/messi5.jpg`, `basketball1.png`, `right04.jpg`,
`opencv4/html/Histogram_Comparison_Source_2.jpg` and the landscape
`examples/hfs/data/001.jpg`. CI installs opencv-doc (.ci/run); elsewhere the tests of its
photos are skipped when it is missing. Every region the tests check was drawn on its
photo and looked at.
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

OPENCV_DOC = Path("/usr/share/doc/opencv-doc")

_cache: dict[str, PersonVision] = {}


def opencv_photo(name: str) -> NDArray[np.uint8]:
    """An RGB sample photo from opencv-doc (required in CI, else the test is skipped)."""
    path = OPENCV_DOC / name
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

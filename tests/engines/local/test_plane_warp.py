"""Block warps of a plane against OpenCV's plain bilinear warp of the same plane."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
import skimage.data

from ugc.engines.local.video.plane_warp import WarpedPlane

_WARP = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP


def _detailed_plane() -> np.ndarray:
    # Real photo detail plus hard-edged text: the worst case for a resampling shortcut.
    plane = cv2.resize(skimage.data.camera(), (900, 1100))
    cv2.putText(plane, "GLOW 30 ml", (80, 600), cv2.FONT_HERSHEY_DUPLEX, 3, 255, 4, cv2.LINE_AA)
    return np.ascontiguousarray(plane)


def _matrix(scale: float, roll_degrees: float, shift: tuple[float, float]) -> np.ndarray:
    angle = math.radians(roll_degrees)
    rotation = scale * np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    return np.hstack([rotation, np.array(shift)[:, None]])


# OpenCV snaps each sample position to 1/32 pixel, so a position a hair away can land one
# step over: up to 255 / 32 levels per axis on a full-contrast edge, never more.
_ONE_STEP_EACH_WAY = 16


@pytest.mark.parametrize(
    ("scale", "roll", "worst", "mean"),
    [
        (1.0, 0.0, 0, 0.0),  # a pure sub-pixel shift: exact
        (1.0, 0.35, _ONE_STEP_EACH_WAY, 0.03),  # the handheld roll at the close-up
        (0.966, 0.0, _ONE_STEP_EACH_WAY, 0.12),  # the end card's zoom at its largest
        (0.96, -0.3, _ONE_STEP_EACH_WAY, 0.15),  # the edge of the tolerance
        (0.8, 0.2, 0, 0.0),  # far from 1: the plain warp, identical
    ],
)
def test_block_warp_stays_within_a_few_levels_of_the_plain_warp(
    scale: float, roll: float, worst: int, mean: float
) -> None:
    plane = _detailed_plane()
    matrix = _matrix(scale, roll, (60.37, 41.81))
    expected = np.empty((720, 640), np.uint8)
    cv2.warpAffine(
        plane, matrix, (640, 720), dst=expected, flags=_WARP, borderMode=cv2.BORDER_REFLECT
    )
    actual = np.zeros_like(expected)
    WarpedPlane(plane, cv2.BORDER_REFLECT).warp_into(matrix, actual)
    diff = np.abs(actual.astype(np.int16) - expected)
    assert int(diff.max()) <= worst
    assert float(diff.mean()) <= mean


def test_block_warp_fills_a_plane_view_in_place() -> None:
    # The frame's planes are views into one I420 buffer; the result must land there.
    plane = _detailed_plane()
    buffer = np.zeros((720 * 3 // 2, 640), np.uint8)
    luma = buffer[:720]
    WarpedPlane(plane, cv2.BORDER_REFLECT).warp_into(_matrix(1.0, 0.2, (30.5, 20.25)), luma)
    assert float(luma.mean()) > 50
    assert not buffer[720:].any()

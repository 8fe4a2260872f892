"""The cut-out layer's and the soft background's shortcuts against plain bilinear warps.

Each fast path (pixel pairs, luma blocks with the alpha at half size, the whole layer at
half size, the half-size background) draws the same layer, level and position as the
plain path: one warp of all four channels at full size and a 2x2 mean for the chroma.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
import skimage.data

from ugc.engines.local.image.sprite import Sprite
from ugc.engines.local.video import cutout_layer
from ugc.engines.local.video.background import (
    DEEP_SIGMA,
    SOFT_SIGMA,
    SharpBackground,
    SoftBackground,
)
from ugc.engines.local.video.cutout_layer import CutoutLayer
from ugc.engines.local.video.yuv import FrameBuffer, half_size

_SIZE = (640, 720)


def _matrix(scale: float, roll_degrees: float, shift: tuple[float, float]) -> np.ndarray:
    angle = math.radians(roll_degrees)
    rotation = scale * np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    return np.hstack([rotation, np.array(shift)[:, None]])


def _sprite(alpha: np.ndarray, blur: float = 0.0) -> Sprite:
    # Photo detail and hard-edged text under the given alpha, premultiplied.
    rgb = cv2.resize(skimage.data.astronaut(), (alpha.shape[1], alpha.shape[0]))
    cv2.putText(rgb, "GLOW 30 ml", (40, 300), cv2.FONT_HERSHEY_DUPLEX, 2, (255, 255, 255), 3)
    if blur:
        rgb = cv2.GaussianBlur(rgb, (0, 0), blur)
    a = alpha.astype(np.float32)[:, :, None] / 255
    premultiplied = np.clip(rgb * a + 0.5, 0, 255).astype(np.uint8)
    return Sprite(np.dstack([premultiplied, alpha]), 40, 30)


def _sharp_alpha() -> np.ndarray:
    # A product's cut-out: an anti-aliased edge one pixel wide.
    alpha = np.zeros((520, 460), np.uint8)
    cv2.ellipse(alpha, (230, 260), (200, 240), 0, 0, 360, 255, -1, cv2.LINE_AA)
    return alpha


def _mask_alpha() -> np.ndarray:
    # A person's alpha: a mask made at a fifth of the size, scaled up.
    small = np.zeros((104, 92), np.uint8)
    cv2.ellipse(small, (46, 52), (40, 48), 0, 0, 360, 255, -1, cv2.LINE_AA)
    return np.asarray(cv2.resize(small, (460, 520), interpolation=cv2.INTER_LINEAR), np.uint8)


def _grey_frame() -> FrameBuffer:
    frame = FrameBuffer(*_SIZE)
    frame.data[:] = 128
    frame.y[:] = np.linspace(40, 200, _SIZE[0], dtype=np.uint8)  # something to blend over
    return frame


@pytest.fixture
def plain_warps(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(cutout_layer, "near_one_to_one", lambda matrix: False)
    yield


def _draw(layer: CutoutLayer, to_image: np.ndarray) -> np.ndarray:
    frame = _grey_frame()
    layer.draw(to_image, frame, _SIZE)
    return frame.data


def _plain(sprite: Sprite, to_image: np.ndarray, monkeypatch: pytest.MonkeyPatch) -> np.ndarray:
    with monkeypatch.context() as patch:
        patch.setattr(cutout_layer, "near_one_to_one", lambda matrix: False)
        return _draw(CutoutLayer(sprite, 1.0), to_image)


def _diffs(actual: np.ndarray, expected: np.ndarray) -> tuple[float, int, float]:
    diff = np.abs(actual.astype(np.int16) - expected)
    luma = diff[: _SIZE[1]]
    return float(luma.mean()), int(luma.max()), float(diff[_SIZE[1] :].mean())


@pytest.mark.parametrize(
    ("scale", "roll"),
    [(1.0, 0.0), (1.0, 0.35), (0.97, -0.3), (1.03, 0.2)],
)
def test_pixel_pairs_stay_within_a_few_levels_of_the_plain_warp(
    scale: float, roll: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    sprite = _sprite(_sharp_alpha())
    to_image = _matrix(scale, roll, (21.37, -8.81))
    luma_mean, luma_worst, chroma_mean = _diffs(
        _draw(CutoutLayer(sprite, 1.0), to_image), _plain(sprite, to_image, monkeypatch)
    )
    # A pure shift is exact; within the tolerance the samples land a few hundredths of a
    # pixel from the plain warp's (one 1/32 step of OpenCV's grid: up to 16 levels).
    assert luma_worst <= (0 if (scale, roll) == (1.0, 0.0) else 16)
    assert luma_mean <= 0.1
    # The chroma is sampled at half size rather than averaged from the full-size warp.
    assert chroma_mean <= 0.3


def test_a_mask_made_alpha_is_warped_at_half_size_unseen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sprite = _sprite(_mask_alpha())
    to_image = _matrix(0.98, 0.3, (15.5, 20.25))
    layer = CutoutLayer(sprite, 1.0, soft_alpha=True)
    luma_mean, luma_worst, chroma_mean = _diffs(
        _draw(layer, to_image), _plain(sprite, to_image, monkeypatch)
    )
    # A tenth of a level on average; a few levels of alpha on the soft outline, times
    # the contrast with what is under it, at worst.
    assert luma_mean <= 0.15
    assert luma_worst <= 24
    assert chroma_mean <= 0.3


def test_a_blurred_layer_is_warped_whole_at_half_size_unseen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The person's depth blur at its lightest (1.8 output pixels).
    sprite = _sprite(_mask_alpha(), blur=1.8)
    to_image = _matrix(0.98, 0.3, (15.5, 20.25))
    layer = CutoutLayer(sprite, 1.0, soft_alpha=True, soft=True)
    expected = _plain(sprite, to_image, monkeypatch)
    luma_mean, luma_worst, chroma_mean = _diffs(_draw(layer, to_image), expected)
    assert luma_mean <= 0.5
    assert luma_worst <= 24
    assert chroma_mean <= 0.3
    # Drawn into a half-size luma plane and upsampled by the caller: the same picture.
    frame = _grey_frame()
    half_luma = half_size(frame.y)
    layer.draw(to_image, frame, _SIZE, half_luma)
    cv2.resize(half_luma, _SIZE, dst=frame.y, interpolation=cv2.INTER_CUBIC)
    diff = np.abs(frame.y.astype(np.int16) - expected[: _SIZE[1]])
    assert float(diff.mean()) <= 1.0


@pytest.mark.parametrize(
    ("blur", "deep", "mean", "worst"),
    [
        (SOFT_SIGMA, False, 0.5, 16),  # the lightest blur warped at half size
        (DEEP_SIGMA, True, 0.8, 16),  # the lightest warped at a quarter
        (8.6, True, 0.6, 12),  # the room behind a person in the foreground composition
    ],
)
def test_a_blurred_background_is_warped_at_a_fraction_of_its_size_unseen(
    blur: float, deep: bool, mean: float, worst: int
) -> None:
    rgb = cv2.GaussianBlur(cv2.resize(skimage.data.astronaut(), (700, 800)), (0, 0), blur)
    matrix = _matrix(0.97, 0.35, (30.3, 41.7))
    sharp, soft = FrameBuffer(*_SIZE), FrameBuffer(*_SIZE)
    SharpBackground(rgb).draw(matrix, sharp)
    SoftBackground(rgb, deep).draw(matrix, soft)
    diff = np.abs(soft.data.astype(np.int16) - sharp.data)
    assert float(diff.mean()) <= mean
    assert int(diff.max()) <= worst
    # No brighter or darker on the whole (OpenCV's own 2x2 mean would lift it by 1/8).
    assert math.isclose(float(soft.data.mean()), float(sharp.data.mean()), abs_tol=0.08)


def test_half_size_is_the_unbiased_two_by_two_mean() -> None:
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (64, 48, 4), dtype=np.uint8)
    half = half_size(image)
    exact = image.reshape(32, 2, 24, 2, 4).astype(np.float64).mean(axis=(1, 3))
    assert half.shape == (32, 24, 4)
    assert np.abs(half - exact).max() <= 0.5
    assert abs(float(half.mean()) - float(exact.mean())) < 0.02


@pytest.mark.parametrize("shape", [(64, 48, 4), (64, 48)])
def test_half_size_rounds_exact_halves_to_even(shape: tuple[int, ...]) -> None:
    # 2x2 blocks of (q, q, q + 1, q + 1): every mean is a tie, q + 0.5.
    rng = np.random.default_rng(11)
    q = rng.integers(0, 255, (shape[0] // 2, shape[1] // 2, *shape[2:]), dtype=np.uint8)
    image = np.repeat(np.repeat(q, 2, axis=0), 2, axis=1)
    image[1::2] += 1
    half = half_size(image)
    assert half.shape == q.shape
    # Half to even: q + 0.5 becomes q when q is even, q + 1 when it is odd.
    np.testing.assert_array_equal(half, q + (q % 2))

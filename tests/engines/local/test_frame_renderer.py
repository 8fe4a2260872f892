"""The frame renderer's shortcuts against a plain composition of the same layers.

The renderer keeps the background and the cut-out layers at a few sizes a step apart and
warps them as 2x2 blocks or pixel pairs from the nearest one, warps what has no detail at
half the output size there (the person's mask-made alpha; under a depth blur, the
background and the person whole), crops the cut-outs to what covers anything, draws the
opaque end card straight into the frame and builds the card only when it first shows.
The reference below does none of that: each layer resized to exactly the camera's scale,
one plain bilinear warp of all of it at full size, the card composed separately.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import cv2
import numpy as np
import pytest

from ugc.engines.base import VIDEO_SIZES, VideoRequest
from ugc.engines.local.image.scene import unpack_scene
from ugc.engines.local.video import render
from ugc.engines.local.video.background import SOFT_SIGMA
from ugc.engines.local.video.engine import layers_from_scene
from ugc.engines.local.video.levels import STEP, ScaleLevels, resized
from ugc.engines.local.video.motion import FPS, camera_at, card_opacity
from ugc.engines.local.video.plane_warp import half_matrix as _half
from ugc.engines.local.video.render import FrameRenderer, _camera_matrix
from ugc.engines.local.video.yuv import FrameBuffer, premultiplied_to_yuva, rgb_to_planes

_WARP = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
_SIZE = VIDEO_SIZES["9:16"]


def _warp(src: np.ndarray, matrix: np.ndarray, dst: np.ndarray) -> None:
    size = (dst.shape[1], dst.shape[0])
    cv2.warpAffine(src, matrix, size, dst=dst, flags=_WARP, borderMode=cv2.BORDER_REFLECT)


def _plain_layer(sprite: Any, to_image: np.ndarray, frame: FrameBuffer) -> None:
    # The whole layer, resized to exactly the camera's scale, warped over the whole frame.
    image, factors = resized(sprite.rgba, 1 / math.sqrt(abs(np.linalg.det(to_image[:, :2]))))
    whole = premultiplied_to_yuva(image)
    matrix = to_image.copy()
    matrix[:, 2] -= np.array([sprite.x, sprite.y], float)
    matrix *= factors
    width, height = _SIZE
    yuva = cv2.warpAffine(whole, matrix, (width, height), flags=_WARP)
    half = cv2.resize(yuva, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    for plane, source, div in zip(frame.planes(), (yuva, half, half), (1, 2, 2), strict=True):
        channel = 0 if div == 1 else (1 if plane is frame.u else 2)
        colour, alpha = source[:, :, channel], source[:, :, 3]
        kept = cv2.multiply(plane, cv2.bitwise_not(alpha), scale=1 / 255)
        cv2.add(kept, colour, dst=plane)


def _plain_frame(renderer: FrameRenderer, layers: Any, index: int) -> np.ndarray:
    t = index / FPS
    frame = FrameBuffer(*_SIZE)
    opacity = card_opacity(t)
    if opacity < 0.999:
        view = camera_at(t, renderer.shot, renderer.image_size)
        far = view
        if layers.person is not None:
            far = renderer._depth_view(
                t, view, render._FAR, -render._PUSH_PARALLAX * (1 - render._FAR)
            )
        # The background resized to exactly the camera's scale, then warped 1:1.
        image, factors = resized(layers.background, far.zoom * renderer.to_out)
        matrix = _camera_matrix(far, _SIZE, renderer.to_out) * factors
        for source, plane, m in zip(
            rgb_to_planes(image),
            frame.planes(),
            (matrix, _half(matrix), _half(matrix)),
            strict=True,
        ):
            _warp(source, m, plane)
        if layers.person is not None:
            assert renderer.person is not None
            person = _camera_matrix(view, _SIZE, renderer.to_out)
            _plain_layer(layers.person, person, frame)
        product = renderer._product_to_image(t, view)
        _plain_layer(layers.sprite, product, frame)
        renderer._draw_captions(t, frame)
    if opacity > 0.001:
        zoom = 1.0 + 0.035 * min(1.0, max(0.0, (t - 6.5) / 1.5))
        width, height = _SIZE
        matrix = np.array(
            [[1 / zoom, 0, width / 2 * (1 - 1 / zoom)], [0, 1 / zoom, height / 2 * (1 - 1 / zoom)]]
        )
        card = FrameBuffer(*_SIZE)
        for src, plane, m in zip(
            rgb_to_planes(layers.end_card()),
            card.planes(),
            (matrix, _half(matrix), _half(matrix)),
            strict=True,
        ):
            _warp(src, m, plane)
        cv2.addWeighted(frame.data, 1 - opacity, card.data, opacity, 0, dst=frame.data)
    return frame.data


@pytest.fixture(scope="module")
def layers(kit: Any) -> Any:
    image = kit.compose("astronaut", "serum", "9:16")
    request = VideoRequest(
        image=image.png,
        product_name="Glow Serum",
        product_description="Vitamin C serum for every day.",
        prompt="",
        aspect_ratio="9:16",
        scene=image.scene,
    )
    layers = layers_from_scene(unpack_scene(image.scene), request)
    assert layers.person is not None, "the astronaut is a layer of her own"
    assert layers.blur[0] * 2 / 3 >= SOFT_SIGMA, "she stands before a softened room"
    return layers


def _compare(layers: Any, mean: float, worst: int) -> FrameRenderer:
    renderer = FrameRenderer(layers, _SIZE)
    assert renderer.product is not None, "the serum is a layer of its own"
    frame = FrameBuffer(*_SIZE)
    # The push, the move in, the close-up, the card fading in, the card alone.
    for index in (0, 45, 115, 150, 200, 235):
        renderer.render(index, frame)
        expected = _plain_frame(renderer, layers, index)
        diff = np.abs(frame.data.astype(np.int16) - expected)
        assert float(diff.mean()) < mean, index
        assert int(diff.max()) <= worst, index
        assert math.isclose(float(frame.data.mean()), float(expected.mean()), abs_tol=0.05)
    return renderer


# The layers are resampled twice (to their sharpest size, then to the level a frame
# needs), the reference once, to the exact scale: a fraction of a grey level on average,
# more on the hardest edges of the product. A misplaced layer (half a pixel, say) would
# show several levels on average; the warps themselves are checked in test_cutout_warps.py.
_WORST = 64


def test_sharp_layers_match_a_plain_composition(layers: Any) -> None:
    renderer = _compare(replace(layers, blur=(0.0, 0.0)), mean=0.45, worst=_WORST)
    assert renderer.person is not None and renderer.person.soft_alpha
    assert not renderer.person.soft


def test_soft_layers_look_like_a_plain_composition(layers: Any) -> None:
    # Warped at half size, the blurred room and the softened person lose nothing a viewer
    # would see: a fraction of a grey level more on average.
    renderer = _compare(layers, mean=0.7, worst=_WORST)
    assert renderer.person is not None and renderer.person.soft


def test_background_levels_keep_every_warp_near_one_to_one(layers: Any) -> None:
    sharp = replace(layers, blur=(0.0, 0.0))
    renderer = FrameRenderer(sharp, _SIZE)
    frame = FrameBuffer(*_SIZE)
    seen: set[float] = set()
    for index in range(0, 200, 5):  # the shot, before the card covers it
        renderer.render(index, frame)
        view = camera_at(index / FPS, renderer.shot, renderer.image_size)
        far = renderer._depth_view(
            index / FPS, view, render._FAR, -render._PUSH_PARALLAX * (1 - render._FAR)
        )
        level_scale, _ = renderer.bg.at(far.zoom * renderer.to_out)
        seen.add(level_scale)
        # Layer pixels per output pixel: within the block warp's 4% of 1.
        assert abs(level_scale / (far.zoom * renderer.to_out) - 1) < 0.04, index
    # The camera pushes in: the background needed more than one size, each made once.
    assert len(seen) >= 2
    assert renderer.bg.built == len(seen)


def test_a_soft_background_is_made_once(layers: Any) -> None:
    renderer = FrameRenderer(layers, _SIZE)
    frame = FrameBuffer(*_SIZE)
    for index in range(0, 200, 5):
        renderer.render(index, frame)
    assert renderer.bg.built == 1
    assert renderer.person is not None and renderer.person.levels.built == 1


def test_scale_levels_hold_only_the_last_levels_used() -> None:
    made: list[float] = []
    levels: ScaleLevels[float] = ScaleLevels(1.0, lambda s: made.append(s) or s, keep=1)
    for scale in (1.0, 0.97, 0.9, 0.8, 0.8, 0.75):
        level_scale, value = levels.at(scale)
        assert value == level_scale
        assert abs(math.log(level_scale / scale)) <= math.log(STEP) / 2 + 1e-9
        assert len(levels._levels) == 1
    # 0.97 is nearest the first level, and the second 0.8 finds its level already made.
    assert made == [1.0, 1 / STEP, 1 / STEP**3, 1 / STEP**4]

"""The product cut-out: exact product pixels inside, no halo of the old background at the edge."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest

from ugc.engines.local.image.cutout import cut_out_product

RED = np.array([200, 40, 40], np.float32)


def _on_busy_background(seed: int) -> tuple[np.ndarray, np.ndarray]:
    # A red tin with a label, photographed on a textured green cloth.
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 22, (600, 500, 1)).astype(np.float32)
    cloth = np.clip(
        np.array([60, 150, 70], np.float32) + cv2.GaussianBlur(noise, (0, 0), 3)[:, :, None], 0, 255
    )
    photo = cloth.astype(np.uint8)
    inside = np.zeros((600, 500), np.uint8)
    cv2.ellipse(inside, (250, 300), (150, 210), 0, 0, 360, 255, -1, cv2.LINE_AA)
    a = inside.astype(np.float32)[:, :, None] / 255
    photo = (photo * (1 - a) + RED * a).astype(np.uint8)
    cv2.putText(
        photo, "TIN", (170, 320), cv2.FONT_HERSHEY_DUPLEX, 2.4, (250, 250, 250), 4, cv2.LINE_AA
    )
    return photo, inside


def test_edges_carry_no_old_background() -> None:
    photo, inside = _on_busy_background(3)
    layer = cut_out_product(np.dstack([photo, np.full(inside.shape, 255, np.uint8)]))
    if layer.kind == "card":
        pytest.skip("no clean cut was found for this photo: the card was used")
    alpha = layer.rgba[:, :, 3]
    edge = layer.rgba[(alpha > 40) & (alpha < 215)][:, :3].astype(np.float32)
    assert edge.shape[0] > 50
    # Unmixed edge pixels are the tin's red, not the cloth's green.
    assert float(np.median(edge[:, 1])) < 90, np.median(edge, axis=0)
    assert float(np.median(edge[:, 0])) > 150


@pytest.mark.parametrize("product", ["serum", "coffee", "logo"])
def test_inside_pixels_are_exactly_the_photo(kit: Any, product: str) -> None:
    photo = kit.photos[product]()
    rgba = (
        photo
        if photo.shape[2] == 4
        else np.dstack([photo, np.full(photo.shape[:2], 255, np.uint8)])
    )
    layer = cut_out_product(rgba)
    if layer.kind == "card":
        pytest.skip("a card reframes the photo")
    solid = layer.rgba[:, :, 3] == 255
    # Find the crop's offset in the photo by template matching, then compare exactly.
    result = cv2.matchTemplate(
        rgba[:, :, :3], layer.rgba[:, :, :3], cv2.TM_SQDIFF, mask=solid.astype(np.uint8)
    )
    _, _, (x, y), _ = cv2.minMaxLoc(result)
    original = rgba[y : y + solid.shape[0], x : x + solid.shape[1], :3]
    assert np.array_equal(original[solid], layer.rgba[:, :, :3][solid])

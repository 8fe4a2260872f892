"""Photos for the local engine's tests: packaged sample photos and synthetic edge cases."""

from __future__ import annotations

import asyncio
import fcntl
import io
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
import pytest
import skimage.data
from numpy.typing import NDArray
from PIL import Image

from tests.support import encode
from ugc.config import Settings
from ugc.engines.base import GeneratedImage, ImageRequest
from ugc.engines.local.demo import serum_packshot
from ugc.engines.local.image.engine import LocalImageEngine

Array = NDArray[np.uint8]
T = TypeVar("T")


def decode(data: bytes) -> Array:
    """Decode image bytes to an RGB array."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def transparent_logo() -> Array:
    """A product with real transparency (skimage's logo is an RGBA PNG)."""
    logo = np.ascontiguousarray(skimage.data.logo())
    circle = np.zeros(logo.shape[:2], np.uint8)
    cv2.circle(circle, (250, 250), 240, 255, -1, cv2.LINE_AA)
    logo[:, :, 3] = np.minimum(logo[:, :, 3], circle)
    return logo


def full_bleed_product() -> Array:
    """A product photo with no background at all: the cup fills the frame."""
    return np.ascontiguousarray(skimage.data.coffee()[40:360, 110:470])


def tiny_face_person() -> Array:
    """A wide shot: the astronaut small in a big room (face about 4% of the width)."""
    ramp = np.linspace(0.75, 1.0, 1600, dtype=np.float32)[None, :, None]
    room = (np.full((1200, 1600, 3), (214, 205, 190), np.float32) * ramp).astype(np.uint8)
    person = cv2.resize(skimage.data.astronaut(), (358, 358))
    room[842:1200, 900:1258] = person
    return room


def landscape_person() -> Array:
    """A 16:9 photo of the astronaut, to be framed for a 9:16 ad."""
    wide = cv2.resize(skimage.data.astronaut(), (1024, 576))
    wide[:, 256:768] = cv2.resize(skimage.data.astronaut(), (512, 576))
    return wide


PHOTOS: dict[str, Callable[[], Array]] = {
    "astronaut": skimage.data.astronaut,
    "coffee": skimage.data.coffee,
    "serum": serum_packshot,
    "logo": transparent_logo,
    "full_bleed": full_bleed_product,
    "no_face": skimage.data.rocket,
    "tiny_face": tiny_face_person,
    "landscape": landscape_person,
}


def compose_sync(
    person: str,
    product: str,
    aspect: str = "9:16",
    name: str = "Glow Serum",
    prompt: str = "",
    progress: Callable[[str, float], None] | None = None,
    caption: bool = True,
) -> GeneratedImage:
    """Run the local image engine on two named photos, outside any event loop."""
    request = ImageRequest(
        person=encode(PHOTOS[person]()),
        product=encode(PHOTOS[product]()),
        product_name=name,
        product_description="Vitamin C serum. Daily.",
        prompt=prompt,
        aspect_ratio=aspect,
        caption=caption,
    )  # type: ignore[arg-type]
    engine = LocalImageEngine(Settings())
    return asyncio.run(engine.compose(request, progress or (lambda stage, fraction: None)))


def product_matches(product: Array, output: Array) -> int:
    """RANSAC-consistent SIFT matches of the product photo found in the output image."""
    sift = cv2.SIFT_create()
    gray_a = cv2.cvtColor(product[:, :, :3], cv2.COLOR_RGB2GRAY)
    gray_b = cv2.cvtColor(output, cv2.COLOR_RGB2GRAY)
    kp_a, des_a = sift.detectAndCompute(gray_a, None)
    kp_b, des_b = sift.detectAndCompute(gray_b, None)
    if des_a is None or des_b is None:
        return 0
    pairs = cv2.BFMatcher().knnMatch(des_a, des_b, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < 0.75 * p[1].distance]
    if len(good) < 4:
        return 0
    src = np.float32([kp_a[m.queryIdx].pt for m in good]).reshape(-1, 1, 2)
    dst = np.float32([kp_b[m.trainIdx].pt for m in good]).reshape(-1, 1, 2)
    _, inliers = cv2.findHomography(src, dst, cv2.RANSAC, 6.0)
    return 0 if inliers is None else int(inliers.sum())


def shared_once(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[], T]) -> T:
    """make() run once per test run, even across xdist workers (which share its result).

    Module fixtures run once per worker, so with -n 2 every costly render would run twice;
    the first worker to get here renders and pickles, the other waits and reads.
    """
    root: Path = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, shared by its workers
    stored = root / f"{name}.pickle"
    with (root / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stored.exists():
            value: T = pickle.loads(stored.read_bytes())
            return value
        value = make()
        stored.write_bytes(pickle.dumps(value))
        return value


class Kit:
    """The helpers above, handed to tests as a fixture (test modules cannot import conftest)."""

    photos = PHOTOS
    encode = staticmethod(encode)
    decode = staticmethod(decode)
    compose = staticmethod(compose_sync)
    product_matches = staticmethod(product_matches)
    shared_once = staticmethod(shared_once)


@pytest.fixture(scope="session")
def kit() -> type[Kit]:
    """Test photos and helpers for the local engine."""
    return Kit

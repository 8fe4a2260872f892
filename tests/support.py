"""Helpers shared by tests: photos, settings, sign-up, project creation, waiting for jobs."""

from __future__ import annotations

import asyncio
import io
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw
from skimage import data as skdata

from ugc.config import Settings, load_settings

PASSWORD = "correct horse battery"


def encode(image: Image.Image | NDArray[np.uint8], fmt: str = "PNG", **options: Any) -> bytes:
    """A PIL image or an RGB/RGBA/grey array as the bytes of an image file (PNG unless told)."""
    picture = image if isinstance(image, Image.Image) else Image.fromarray(image)
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def person_photo() -> bytes:
    """scikit-image's astronaut portrait as a JPEG: a real face."""
    return encode(skdata.astronaut(), "JPEG", quality=92)


def product_photo() -> bytes:
    """A labelled bottle on a white studio background, as a PNG."""
    image = Image.new("RGB", (600, 800), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((220, 120, 380, 700), radius=40, fill=(30, 110, 200))
    draw.rectangle((270, 60, 330, 130), fill=(20, 20, 20))
    draw.rectangle((230, 330, 370, 520), fill=(250, 240, 200))
    for i, y in enumerate(range(350, 500, 30)):
        draw.rectangle((245, y, 355 - 15 * (i % 3), y + 12), fill=(200, 40, 40))
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 6, (800, 600, 3), dtype=np.uint8)
    pixels = np.clip(np.asarray(image, dtype=np.int16) - noise, 0, 255).astype(np.uint8)
    return encode(pixels)


def app_settings(folder: Path, database_url: str | None = None, **overrides: Any) -> Settings:
    """A test app of its own: its database (a SQLite file in `folder` unless given), media and
    data folder under `folder`, quick retries and reconciles, sign-ups unlimited per address.
    """
    values: dict[str, Any] = {
        "database_url": database_url or f"sqlite+aiosqlite:///{folder / 'ugc.db'}",
        "data_dir": folder / "var",
        "storage_url": f"file://{folder / 'media'}",
        "secret_key": "test-secret-key-test-secret-key",
        "retry_base_seconds": 0.05,
        "reconcile_interval_seconds": 0.5,
        # Tests sign up many accounts from one address; tests of the limit set their own.
        "signup_attempts_per_window": 1000,
    }
    return load_settings(**(values | overrides))


def unique_email(prefix: str = "user") -> str:
    """An email no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


async def signup(client: httpx.AsyncClient, email: str | None = None) -> dict[str, Any]:
    """Sign up (the client keeps the session cookie); the user body."""
    response = await client.post(
        "/api/auth/signup", json={"email": email or unique_email(), "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    user: dict[str, Any] = response.json()["user"]
    return user


def create_form(**overrides: str) -> dict[str, str]:
    """A valid create brief with overrides."""
    form = {"productName": "Aqua Bottle", "aspectRatio": "9:16", "userPrompt": "morning gym vibe"}
    form.update(overrides)
    return form


async def create_project(
    client: httpx.AsyncClient,
    *,
    person: bytes | None = None,
    product: bytes | None = None,
    **fields: str,
) -> httpx.Response:
    """POST /api/project/create with the standard photos unless given."""
    files = {
        "userImage": ("person.jpg", person if person is not None else person_photo(), "image/jpeg"),
        "productImage": (
            "product.png",
            product if product is not None else product_photo(),
            "image/png",
        ),
    }
    return await client.post("/api/project/create", data=create_form(**fields), files=files)


async def wait_for_project(
    client: httpx.AsyncClient,
    project_id: str,
    done: Callable[[dict[str, Any]], bool] = lambda p: not p["isGenerating"],
    within: float = 60.0,
) -> dict[str, Any]:
    """Poll the project until `done(project)` holds."""
    deadline = time.monotonic() + within
    while True:
        response = await client.get(f"/api/user/projects/{project_id}")
        assert response.status_code == 200, response.text
        project: dict[str, Any] = response.json()["project"]
        if done(project):
            return project
        if time.monotonic() > deadline:
            raise AssertionError(f"project did not finish in {within}s: {project}")
        await asyncio.sleep(0.1)


def flat_tube_photo() -> bytes:
    """A plain matte tube (no label, no print) on a light studio background, as a PNG."""
    image = Image.new("RGB", (600, 900), (206, 210, 216))
    draw = ImageDraw.Draw(image)
    draw.polygon([(200, 130), (400, 130), (360, 690), (240, 690)], fill=(226, 108, 92))
    draw.rectangle((196, 110, 404, 140), fill=(214, 98, 84))  # the crimped end
    draw.rounded_rectangle((255, 688, 345, 800), radius=10, fill=(250, 250, 248))  # the cap
    return encode(image, "PNG")


def flat_box_photo() -> bytes:
    """A flat-colour carton seen at an angle (front and side, two tones), as a PNG."""
    image = Image.new("RGB", (800, 700), (245, 245, 245))
    draw = ImageDraw.Draw(image)
    draw.polygon([(170, 170), (480, 170), (480, 600), (170, 600)], fill=(40, 140, 130))
    draw.polygon([(480, 170), (600, 120), (600, 540), (480, 600)], fill=(28, 104, 96))
    draw.polygon([(170, 170), (290, 120), (600, 120), (480, 170)], fill=(70, 172, 160))
    return encode(image, "PNG")

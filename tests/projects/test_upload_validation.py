"""Bad uploads: a clear 4xx, nothing charged, nothing stored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from tests.support import create_project, encode, person_photo, product_photo, signup


def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _big_image_bytes() -> bytes:
    return os.urandom(6 * 1024 * 1024)


def _closed_early_jpeg() -> bytes:
    """633 bytes claiming 8000x5000: the headers and a sliver of data, then end-of-image.

    A decoder fills the rest with grey, so without a check it "decodes" (120 MB, seconds).
    """
    flat = encode(Image.new("RGB", (8000, 5000), (200, 100, 50)), "JPEG", quality=50)
    return flat[:631] + b"\xff\xd9"


BAD_UPLOADS = {
    "text renamed .jpg": ({"person": b"hello, I am a text file\n" * 50}, 415, "not an image"),
    "truncated jpeg": ({"person": person_photo()[:4000]}, 422, "is incomplete"),
    "jpeg closed early": ({"person": _closed_early_jpeg()}, 422, "is incomplete"),
    "png without its end": ({"product": product_photo()[:-12]}, 422, "is incomplete"),
    "6 MB file": ({"product": _big_image_bytes()}, 413, "the limit is 5 MB"),
    "1x1 image": ({"product": encode(Image.new("RGB", (1, 1)), "PNG")}, 422, "at least 256"),
    "gif": ({"product": encode(Image.new("RGB", (300, 300)), "GIF")}, 415, "GIF"),
    "empty file": ({"person": b""}, 422, "person photo"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
async def test_bad_upload_is_refused_and_costs_nothing(client, tmp_path, case):
    files, status, message = BAD_UPLOADS[case]
    await signup(client)
    response = await create_project(client, **files)
    assert response.status_code == status, response.text
    assert response.json()["error"]
    assert message in response.json()["detail"]
    await _assert_nothing_happened(client, tmp_path)


BAD_FIELDS = {
    "unknown aspect ratio": ({"aspectRatio": "4:3"}, "choose 9:16, 16:9 or 1:1"),
    "100k-character prompt": ({"userPrompt": "x" * 100_000}, "at most 2,000 characters"),
    "long description": ({"productDescription": "y" * 2001}, "at most 2,000 characters"),
    "empty product name": ({"productName": "   "}, "Give the product a name"),
    "long product name": ({"productName": "n" * 121}, "at most 120 characters"),
}


@pytest.mark.parametrize("case", list(BAD_FIELDS))
async def test_bad_brief_is_refused_and_costs_nothing(client, tmp_path, case):
    fields, message = BAD_FIELDS[case]
    await signup(client)
    response = await create_project(client, **fields)
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    await _assert_nothing_happened(client, tmp_path)


async def test_missing_file_is_refused(client, tmp_path):
    await signup(client)
    response = await client.post(
        "/api/project/create",
        data={"productName": "Aqua"},
        files={"productImage": ("p.png", product_photo(), "image/png")},
    )
    assert response.status_code == 422
    assert "Add a person photo" in response.json()["detail"]
    await _assert_nothing_happened(client, tmp_path)


async def test_huge_dimensions_are_refused(client, tmp_path):
    await signup(client)
    # 8000x5001 is 40.008 megapixels; a flat PNG of it stays tiny on disk.
    huge = encode(Image.new("L", (8000, 5001), 200), "PNG", optimize=True)
    response = await create_project(client, product=huge)
    assert response.status_code == 422
    assert "40 megapixels" in response.json()["detail"]
    await _assert_nothing_happened(client, tmp_path)


async def _assert_nothing_happened(client, tmp_path: Path) -> None:
    assert (await client.get("/api/user/credits")).json() == {"credits": 20}
    assert (await client.get("/api/user/projects")).json()["projects"] == []
    history = (await client.get("/api/user/credits/history")).json()["entries"]
    assert [e["reason"] for e in history] == ["signup"]
    assert _files_under(tmp_path / "media") == []

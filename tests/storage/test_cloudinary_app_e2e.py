"""The app on Cloudinary storage end to end: uploads, generated media and deletion go
through the real cloudinary SDK to the fake Cloudinary server; engines are Gemini and Omni
on the fake Gemini server, as in production.
"""

from __future__ import annotations

import asyncio
import io
import time

import httpx
from PIL import Image

from tests.fakes.cloudinary_server import FakeCloudinary
from tests.fakes.fixtures import (
    fake_cloudinary,
    fake_cloudinary_server,
    fake_gemini,
    fake_gemini_server,
)
from tests.fakes.gemini_server import FakeGemini, b64bytes
from tests.support import create_project, person_photo, signup, wait_for_project

__all__ = ["fake_cloudinary", "fake_cloudinary_server", "fake_gemini", "fake_gemini_server"]


async def browse(url: str) -> httpx.Response:
    """GET a URL the API returned, as a browser would (not through the app)."""
    async with httpx.AsyncClient() as browser:
        return await browser.get(url)


async def fetch(url: str) -> bytes:
    """The bytes behind a media URL the API returned."""
    response = await browse(url)
    assert response.status_code == 200, (url, response.text)
    return response.content


async def wait_until_empty(fake: FakeCloudinary, within: float = 10.0) -> None:
    """Wait until the fake holds no asset (deletion runs right after the commit)."""
    deadline = time.monotonic() + within
    while fake.assets:
        assert time.monotonic() < deadline, f"assets left: {sorted(fake.objects_by_public_id)}"
        await asyncio.sleep(0.05)


async def test_project_media_live_on_cloudinary_and_go_with_the_project(
    make_client, fake_cloudinary: FakeCloudinary, fake_gemini: FakeGemini
):
    client = await make_client(
        storage_url=fake_cloudinary.storage_url,
        image_engine="gemini",
        video_engine="omni",
        omni_poll_seconds=0.01,
        retry_base_seconds=0.01,
        **fake_gemini.settings_overrides(),
    )
    await signup(client)
    person = person_photo()
    response = await create_project(client, person=person, aspectRatio="16:9")
    assert response.status_code == 201, response.text
    project_id = response.json()["projectId"]

    project = await wait_for_project(client, project_id, within=30)

    assert project["status"] == "ready", project["error"]
    assets = fake_cloudinary.objects_by_public_id
    assert assets[f"uploads/{project_id}/person"].data == person
    assert assets[f"uploads/{project_id}/person"].resource_type == "image"
    assert f"uploads/{project_id}/product" in assets
    [image_id] = [i for i in assets if i.startswith("images/")]
    assert assets[image_id].resource_type == "image" and assets[image_id].format == "png"
    # The engine read the person photo back from Cloudinary.
    sent = fake_gemini.image_requests[0].json["contents"][0]["parts"][0]["inlineData"]["data"]
    assert b64bytes(sent) == person
    delivery = f"{fake_cloudinary.base_url}/{fake_cloudinary.cloud}/image/upload/"
    for field in ("userImage", "productImage", "generatedImage"):
        assert project[field].startswith(delivery), project[field]
    assert project["generatedImage"].endswith(f"/{image_id}.png")
    image = await fetch(project["generatedImage"])
    assert image == assets[image_id].data
    assert Image.open(io.BytesIO(image)).size == (1920, 1080)

    accepted = await client.post("/api/project/video", json={"projectId": project_id})
    assert accepted.status_code == 202, accepted.text
    project = await wait_for_project(client, project_id, within=30)

    assert project["status"] == "ready", project["error"]
    [video_id] = [i for i in fake_cloudinary.objects_by_public_id if i.startswith("videos/")]
    assert fake_cloudinary.objects_by_public_id[video_id].resource_type == "video"
    video_url = project["generatedVideo"]
    assert video_url.startswith(f"{fake_cloudinary.base_url}/{fake_cloudinary.cloud}/video/upload/")
    assert video_url.endswith(f"/{video_id}.mp4")
    assert (await fetch(video_url))[4:8] == b"ftyp"
    assert (await client.get("/api/user/credits")).json() == {"credits": 5}

    deleted = await client.delete(f"/api/project/{project_id}")

    assert deleted.status_code == 204
    await wait_until_empty(fake_cloudinary)
    destroyed = [r for r in fake_cloudinary.requests if r.path.endswith("/destroy")]
    assert len(destroyed) == 4
    assert (await browse(project["generatedImage"])).status_code == 404

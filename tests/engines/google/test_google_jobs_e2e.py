"""Gemini and Omni end to end: the public API and the job system drive the real google-genai
SDK against the fake Gemini server; assertions are what the user sees and what Google got.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import av
import httpx
import pytest
from PIL import Image

from tests.fakes.gemini_server import (
    FakeGemini,
    b64bytes,
    blocked_prompt,
    finish_reason,
    omni_failed,
    omni_never_done,
    rate_limited,
    retired_model,
    text_only,
    unavailable,
)
from tests.fakes.http import Reply
from tests.support import create_project, person_photo, product_photo, signup, wait_for_project

IMAGE_MODEL_PATH = "/v1beta/models/gemini-3-pro-image:generateContent"
GOOGLE_SETTINGS: dict[str, Any] = {
    "image_engine": "gemini",
    "video_engine": "omni",
    "omni_poll_seconds": 0.01,
    "omni_timeout_seconds": 20,
    "retry_base_seconds": 0.01,
    "gemini_timeout_seconds": 10,
}


# --- helpers: an app on the fake, and what its user sees ------------------------------------


async def google_client(make_client: Any, fake: FakeGemini, **overrides: Any) -> httpx.AsyncClient:
    """A signed-up client of an app whose engines talk to the fake Gemini server."""
    client: httpx.AsyncClient = await make_client(
        **{**GOOGLE_SETTINGS, **fake.settings_overrides(), **overrides}
    )
    await signup(client)
    return client


async def make_image(client: httpx.AsyncClient, **fields: str) -> dict[str, Any]:
    """Create a project through the API and wait until its image job has ended."""
    response = await create_project(client, **fields)
    assert response.status_code == 201, response.text
    return await wait_for_project(client, response.json()["projectId"], within=90)


async def make_video(client: httpx.AsyncClient, project_id: str) -> dict[str, Any]:
    """Ask for the project's video and wait until the video job has ended."""
    response = await client.post("/api/project/video", json={"projectId": project_id})
    assert response.status_code == 202, response.text
    return await wait_for_project(client, project_id, within=90)


async def balance(client: httpx.AsyncClient) -> int:
    """The caller's credits."""
    credits: int = (await client.get("/api/user/credits")).json()["credits"]
    return credits


async def refunds(client: httpx.AsyncClient) -> list[tuple[int, str]]:
    """The caller's refund ledger rows as (delta, projectId)."""
    entries = (await client.get("/api/user/credits/history")).json()["entries"]
    return [(e["delta"], e["projectId"]) for e in entries if e["reason"] == "refund"]


async def download(client: httpx.AsyncClient, url: str, content_type: str) -> bytes:
    """The bytes behind a media URL the API returned."""
    response = await client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == content_type
    return response.content


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG (fails on any other format)."""
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.format == "PNG"
        return picture.size


def video_facts(data: bytes) -> tuple[str, int, int, str, int]:
    """(codec, width, height, pix_fmt, decoded frames) of the first video stream, via PyAV."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        ctx = stream.codec_context
        return ctx.name, ctx.width, ctx.height, str(ctx.pix_fmt), frames


# --- images ---------------------------------------------------------------------------------


async def test_image_job_sends_both_photos_and_a_labelled_prompt(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    person, product = person_photo(), product_photo()

    response = await create_project(
        client,
        person=person,
        product=product,
        productDescription="Keeps water cold for 24 hours",
        aspectRatio="9:16",
    )
    project = await wait_for_project(client, response.json()["projectId"], within=90)

    assert project["status"] == "ready", project["error"]
    assert project["error"] is None
    image = await download(client, project["generatedImage"], "image/png")
    assert png_size(image) == (1080, 1920)
    assert await balance(client) == 15
    assert await refunds(client) == []
    [sent] = fake_gemini.image_requests
    assert sent.path == IMAGE_MODEL_PATH
    assert sent.headers["x-goog-api-key"] == fake_gemini.api_key
    first, second, prompt = sent.json["contents"][0]["parts"]
    assert b64bytes(first["inlineData"]["data"]) == person
    assert first["inlineData"]["mime_type"] == "image/jpeg"
    assert b64bytes(second["inlineData"]["data"]) == product
    assert second["inlineData"]["mime_type"] == "image/png"
    text = prompt["text"]
    assert "The first image is the person" in text
    assert "The second image is the product" in text
    assert "Product name: Aqua Bottle" in text
    assert "Keeps water cold for 24 hours" in text
    assert "morning gym vibe" in text
    config = sent.json["generationConfig"]
    assert config["responseModalities"] == ["IMAGE"]
    assert config["imageConfig"] == {"aspectRatio": "9:16", "imageSize": "1K"}


async def test_rate_limited_once_then_the_image_arrives(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    fake_gemini.script(image=[rate_limited("1s")])

    project = await make_image(client)

    assert project["status"] == "ready", project["error"]
    assert project["error"] is None
    assert png_size(await download(client, project["generatedImage"], "image/png")) == (
        1080,
        1920,
    )
    assert len(fake_gemini.image_requests) == 2
    assert await balance(client) == 15
    assert await refunds(client) == []


async def test_unavailable_until_retries_run_out_fails_and_refunds_once(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    fake_gemini.script(image=[unavailable()] * 5)

    project = await make_image(client)

    assert project["status"] == "failed"
    assert project["generatedImage"] is None
    assert project["error"] == (
        "The image could not be made: The image service is temporarily unavailable "
        "(HTTP 503) (tried 3 times). Your 5 credits were refunded."
    )
    assert len(fake_gemini.image_requests) == 3
    assert await balance(client) == 20
    assert await refunds(client) == [(5, project["id"])]


@pytest.mark.parametrize(
    ("answer", "explained"),
    [
        (blocked_prompt("SAFETY"), "the photos or the prompt were flagged by its safety filter"),
        (finish_reason("IMAGE_SAFETY"), "the image it made was flagged by its safety filter"),
        (text_only("I can't make that picture."), "it did not return an image"),
    ],
    ids=["blocked-prompt", "image-safety", "text-only"],
)
async def test_declined_image_fails_at_once_and_refunds(
    make_client, fake_gemini, answer: Reply, explained: str
):
    client = await google_client(make_client, fake_gemini)
    fake_gemini.script(image=[answer] * 3)

    project = await make_image(client)

    assert project["status"] == "failed"
    assert project["generatedImage"] is None
    assert project["error"].startswith(
        f"The image could not be made: The image service declined this request: {explained}."
    )
    assert project["error"].endswith("Your 5 credits were refunded.")
    assert "tried" not in project["error"]
    assert len(fake_gemini.image_requests) == 1
    assert await balance(client) == 20
    assert await refunds(client) == [(5, project["id"])]


# --- videos ---------------------------------------------------------------------------------


async def test_video_job_animates_the_project_image(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    project = await make_image(client, productDescription="Steel, 750 ml")
    image = await download(client, project["generatedImage"], "image/png")

    done = await make_video(client, project["id"])

    assert done["status"] == "ready", done["error"]
    assert done["error"] is None
    video = await download(client, done["generatedVideo"], "video/mp4")
    codec, width, height, pix_fmt, frames = video_facts(video)
    assert (codec, width, height, pix_fmt) == ("h264", 720, 1280, "yuv420p")
    assert frames > 0
    assert await balance(client) == 5
    assert await refunds(client) == []
    [start] = fake_gemini.create_requests
    assert start.headers["x-goog-api-key"] == fake_gemini.api_key
    assert start.json["model"] == "gemini-omni-1.1-flash" and start.json["background"] is True
    sent_image, prompt = start.json["input"][0]["content"]
    assert base64.b64decode(sent_image["data"]) == image
    assert "Aqua Bottle (Steel, 750 ml)" in prompt["text"]
    assert "morning gym vibe" in prompt["text"]
    fmt = start.json["response_format"]
    assert (fmt["aspect_ratio"], fmt["resolution"], fmt["duration"]) == ("9:16", "720p", "8s")
    assert all(r.headers["x-goog-api-key"] == fake_gemini.api_key for r in fake_gemini.requests)


async def test_square_project_gets_a_720_square_video(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    project = await make_image(client, aspectRatio="1:1")
    assert png_size(await download(client, project["generatedImage"], "image/png")) == (
        1080,
        1080,
    )
    assert fake_gemini.image_requests[0].json["generationConfig"]["imageConfig"] == {
        "aspectRatio": "1:1",
        "imageSize": "1K",
    }

    done = await make_video(client, project["id"])

    assert done["status"] == "ready", done["error"]
    video = await download(client, done["generatedVideo"], "video/mp4")
    codec, width, height, pix_fmt, frames = video_facts(video)
    assert (codec, width, height, pix_fmt) == ("h264", 720, 720, "yuv420p")
    assert frames > 0
    with av.open(io.BytesIO(video)) as container:
        assert len(container.streams.audio) == 1  # the sound Omni made is kept
    # Omni makes no squares: it is asked for a vertical clip that is then cropped.
    assert fake_gemini.create_requests[0].json["response_format"]["aspect_ratio"] == "9:16"


async def test_safety_refusal_refunds_ten_and_keeps_the_image(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    project = await make_image(client)
    fake_gemini.script(video=[omni_failed("The video would show a minor.")])

    done = await make_video(client, project["id"])

    assert done["status"] == "ready"
    assert done["generatedVideo"] is None
    assert done["error"] == (
        "The video could not be made: The video service declined this request: "
        "The video would show a minor. Your 10 credits were refunded."
    )
    await download(client, done["generatedImage"], "image/png")
    assert len(fake_gemini.create_requests) == 1
    assert await balance(client) == 15
    assert await refunds(client) == [(10, project["id"])]
    # The refused video is not retried by the job system, but the user may ask again.
    again = await make_video(client, project["id"])
    assert again["status"] == "ready", again["error"]
    assert again["error"] is None and again["generatedVideo"] is not None
    assert await balance(client) == 5


async def test_unavailable_once_on_create_is_one_create_then_a_retry(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    project = await make_image(client)
    fake_gemini.script(video=[unavailable()])

    done = await make_video(client, project["id"])

    assert done["status"] == "ready", done["error"]
    await download(client, done["generatedVideo"], "video/mp4")
    # One refused create (no SDK retry behind our back), then the job's own retry.
    assert len(fake_gemini.create_requests) == 2
    assert len(fake_gemini.interactions) == 1
    assert await balance(client) == 5
    assert await refunds(client) == []


async def test_retired_video_model_fails_with_the_setting_and_refunds(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    project = await make_image(client)
    fake_gemini.script(video=[retired_model("gemini-omni-1.0-flash")])

    done = await make_video(client, project["id"])

    assert done["error"] == (
        "The video could not be made: The video service's model is retired or unknown; the "
        "server's operator must set UGC_OMNI_MODEL to a current model id. "
        "Your 10 credits were refunded."
    )
    assert await balance(client) == 15
    assert await refunds(client) == [(10, project["id"])]


async def test_poll_timeout_fails_at_once_cancels_and_refunds(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini, omni_timeout_seconds=0.3)
    project = await make_image(client)
    fake_gemini.script(video=[omni_never_done()])

    done = await make_video(client, project["id"])

    assert done["status"] == "ready"
    assert done["generatedVideo"] is None
    # The limit is for the whole video; another attempt would have no time left.
    assert done["error"] == (
        "The video could not be made: The video service did not finish within 0.3 seconds. "
        "Your 10 credits were refunded."
    )
    assert len(fake_gemini.create_requests) == 1
    [interaction] = fake_gemini.interactions.values()
    assert interaction.cancelled
    assert await balance(client) == 15
    assert await refunds(client) == [(10, project["id"])]


async def test_retired_image_model_fails_with_the_setting_and_refunds(make_client, fake_gemini):
    client = await google_client(
        make_client, fake_gemini, gemini_image_model="gemini-3-pro-image-preview"
    )

    project = await make_image(client)

    assert project["status"] == "failed"
    assert project["error"] == (
        "The image could not be made: The image service's model is retired or unknown; the "
        "server's operator must set UGC_GEMINI_IMAGE_MODEL to a current model id. "
        "Your 5 credits were refunded."
    )
    assert len(fake_gemini.image_requests) == 1
    assert await balance(client) == 20
    assert await refunds(client) == [(5, project["id"])]

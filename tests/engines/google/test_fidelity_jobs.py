"""Product fidelity through the whole job: a generative image whose product drifted is made
again (charged once), a changed one is delivered with a warning and a free retry, a missing
one fails and is refunded; videos are checked frame by frame and flagged. The real SDK talks
to the fake Gemini server, whose images paste the sent product (intact, repainted, absent).
"""

from __future__ import annotations

import io
from typing import Any

import httpx
import numpy as np
from PIL import Image
from skimage import data as skdata

from tests.engines.google.test_google_jobs_e2e import (
    balance,
    download,
    google_client,
    make_video,
    refunds,
)
from tests.fakes.gemini_server import FakeGemini, image_ok, omni_ok
from tests.support import create_project, wait_for_project
from ugc.projects.provenance import XMP_UUID, read_xmp

EMPHASIS = "an earlier attempt altered the product"


def coffee_photo() -> bytes:
    """A real product photo with texture (scikit-image's espresso cup)."""
    out = io.BytesIO()
    Image.fromarray(np.asarray(skdata.coffee())).save(out, format="PNG")
    return out.getvalue()


async def make_ad(client: httpx.AsyncClient, **fields: str) -> dict[str, Any]:
    """Create a project with the coffee photo as product and wait for its image job."""
    response = await create_project(client, product=coffee_photo(), **fields)
    assert response.status_code == 201, response.text
    return await wait_for_project(client, response.json()["projectId"], within=60)


def prompts(fake: FakeGemini) -> list[str]:
    """The instruction text of every image request, in order."""
    return [r.json["contents"][0]["parts"][2]["text"] for r in fake.image_requests]


async def test_drifted_label_is_made_again_once_and_charged_once(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    fake_gemini.script(image=[image_ok(product="repainted"), image_ok(product="intact")])

    project = await make_ad(client)

    assert project["status"] == "ready", project["error"]
    fidelity = project["productFidelity"]
    assert fidelity["verdict"] == "intact" and fidelity["score"] >= 0.75
    assert fidelity["summary"] == "The product looks just like your photo."
    assert fidelity["freeRetry"] is False and fidelity["video"] is None
    first, second = prompts(fake_gemini)
    assert EMPHASIS not in first and EMPHASIS in second
    assert await balance(client) == 15
    assert await refunds(client) == []


async def test_always_changed_is_delivered_with_a_warning_and_one_free_retry(
    make_client, fake_gemini
):
    client = await google_client(make_client, fake_gemini)
    fake_gemini.script(image=[image_ok(product="repainted")] * 3)

    project = await make_ad(client)

    assert project["status"] == "ready", project["error"]
    assert project["generatedImage"] is not None
    fidelity = project["productFidelity"]
    assert fidelity["verdict"] == "changed"
    assert 0.35 <= fidelity["score"] < 0.75
    assert fidelity["summary"] == (
        "Check the product: it may look different from your photo (its label, colours or "
        "shape changed). You can try again once, for free."
    )
    assert fidelity["freeRetry"] is True
    assert len(fake_gemini.image_requests) == 3  # UGC_FIDELITY_RETRIES=2
    assert await balance(client) == 15
    page = (await client.get(f"/result/{project['id']}")).text
    assert "it may look different from your photo" in page and "Try again, free" in page
    cards = (await client.get("/my-generations")).text
    assert "Product may differ from your photo" in cards
    before = project["generatedImage"]

    fake_gemini.script(image=[image_ok(product="intact")])
    accepted = await client.post("/api/project/retry", json={"projectId": project["id"]})
    assert accepted.status_code == 202, accepted.text
    again = await wait_for_project(client, project["id"], within=60)

    assert again["status"] == "ready", again["error"]
    assert again["generatedImage"] != before
    assert again["productFidelity"]["verdict"] == "intact"
    assert again["productFidelity"]["freeRetry"] is False
    assert await balance(client) == 15  # the retry was free
    refused = await client.post("/api/project/retry", json={"projectId": project["id"]})
    assert refused.status_code == 409
    assert refused.json() == {
        "error": "no_free_retry",
        "detail": "This project has no free retry left.",
    }
    assert await balance(client) == 15


async def test_a_free_retry_that_changes_again_owes_nothing_more(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini, fidelity_retries=0)
    fake_gemini.script(image=[image_ok(product="repainted")] * 2)
    project = await make_ad(client)
    assert project["productFidelity"]["freeRetry"] is True

    accepted = await client.post("/api/project/retry", json={"projectId": project["id"]})
    assert accepted.status_code == 202
    again = await wait_for_project(client, project["id"], within=60)

    assert again["productFidelity"]["verdict"] == "changed"
    assert again["productFidelity"]["freeRetry"] is False
    assert "try again once" not in again["productFidelity"]["summary"]
    assert await balance(client) == 15


async def test_product_left_out_fails_and_refunds(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    fake_gemini.script(image=[image_ok(product="absent")] * 3)

    project = await make_ad(client)

    assert project["status"] == "failed"
    assert project["generatedImage"] is None
    assert project["error"] == (
        "The image could not be made: The image service left the product out of the picture "
        "(or made it unrecognisable), even after trying again. Your 5 credits were refunded."
    )
    assert len(fake_gemini.image_requests) == 3
    assert await balance(client) == 20
    assert await refunds(client) == [(5, project["id"])]


async def test_images_and_videos_carry_provenance_and_a_fidelity_per_frame(
    make_client, fake_gemini
):
    client = await google_client(make_client, fake_gemini)
    project = await make_ad(client)
    image = await download(client, project["generatedImage"], "image/png")
    xmp = read_xmp(image)
    assert xmp is not None and "compositeWithTrainedAlgorithmicMedia" in xmp
    with Image.open(io.BytesIO(image)) as picture:
        assert "compositeWithTrainedAlgorithmicMedia" in picture.info["XML:com.adobe.xmp"]

    done = await make_video(client, project["id"])

    assert done["status"] == "ready", done["error"]
    video = await download(client, done["generatedVideo"], "video/mp4")
    assert XMP_UUID in video
    assert "compositeWithTrainedAlgorithmicMedia" in (read_xmp(video) or "")
    checked = done["productFidelity"]["video"]
    assert checked["verdict"] == "intact", checked
    assert len(checked["frames"]) >= 8
    assert checked["score"] == min(f["score"] for f in checked["frames"])
    assert checked["frames"][-1]["seconds"] > 1.0  # the last frame is among them


async def test_a_video_without_the_product_is_flagged_not_retried(make_client, fake_gemini):
    client = await google_client(make_client, fake_gemini)
    project = await make_ad(client)
    fake_gemini.script(video=[omni_ok(blank=True)])

    done = await make_video(client, project["id"])

    assert done["status"] == "ready", done["error"]
    assert done["generatedVideo"] is not None
    checked = done["productFidelity"]["video"]
    assert checked["verdict"] == "missing"
    assert checked["summary"].startswith("The product is hard to make out in parts of the video")
    assert len(fake_gemini.create_requests) == 1  # UGC_VIDEO_FIDELITY_RETRIES=0
    assert await balance(client) == 5

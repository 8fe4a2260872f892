"""GeminiImageEngine through the real google-genai SDK against the fake Gemini server."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io

import numpy as np
import pytest
from PIL import Image

from tests.fakes.gemini_server import (
    FakeGemini,
    Reply,
    b64bytes,
    bad_api_key,
    blocked_prompt,
    finish_reason,
    http_error,
    image_ok,
    rate_limited,
    slow,
    text_only,
    unavailable,
)
from tests.fakes.media import make_jpeg, make_png
from ugc.config import Settings, SettingsError, load_settings
from ugc.engines.base import (
    IMAGE_SIZES,
    AspectRatio,
    EngineRejected,
    EngineUnavailable,
    ImageRequest,
)
from ugc.engines.google.gemini import GeminiImageEngine
from ugc.engines.google.sdk import ClientPerLoop

PERSON = make_jpeg(600, 800, (180, 140, 120))
PRODUCT = make_png(400, 400, (20, 160, 90))


def request(aspect_ratio: AspectRatio = "9:16", **changes: str) -> ImageRequest:
    fields = {
        "product_name": "Glow Serum",
        "product_description": "Vitamin C face serum in a green glass bottle",
        "prompt": "in a bright bathroom, morning light",
    }
    fields.update(changes)
    return ImageRequest(
        person=PERSON,
        product=PRODUCT,
        aspect_ratio=aspect_ratio,
        project_id="proj-1",
        job_id="job-1",
        **fields,
    )


def png_size(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.format == "PNG"
        return picture.size


@pytest.mark.parametrize("aspect_ratio", ["9:16", "16:9", "1:1"])
async def test_compose_returns_png_at_requested_ratio(
    google_settings: Settings, fake_gemini: FakeGemini, progress, aspect_ratio: AspectRatio
) -> None:
    image = await GeminiImageEngine(google_settings).compose(request(aspect_ratio), progress)

    assert png_size(image.png) == IMAGE_SIZES[aspect_ratio]
    # The pixels handed to the product check are the PNG's, exactly.
    with Image.open(io.BytesIO(image.png)) as picture:
        assert image.pixels is not None
        assert np.array_equal(np.asarray(picture.convert("RGB")), image.pixels)
    assert progress.reports[-1][1] == 1.0
    body = fake_gemini.image_requests[0].json
    assert body["generationConfig"]["imageConfig"]["aspectRatio"] == aspect_ratio


async def test_an_engine_serves_every_call_and_every_event_loop(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    engine = GeminiImageEngine(google_settings)
    await engine.compose(request(), progress)
    await engine.compose(request(), progress)
    # Another worker thread's event loop: its own client, which works there.
    image = await asyncio.to_thread(asyncio.run, engine.compose(request("1:1"), progress))

    assert png_size(image.png) == IMAGE_SIZES["1:1"]
    assert len(fake_gemini.image_requests) == 3


async def _aio_of(clients: ClientPerLoop) -> object:
    return clients.aio


async def test_a_client_is_made_once_per_event_loop(google_settings: Settings) -> None:
    clients = ClientPerLoop(google_settings, "key")
    here = clients.aio

    assert clients.aio is here
    assert await asyncio.to_thread(asyncio.run, _aio_of(clients)) is not here


async def test_request_on_the_wire(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    await GeminiImageEngine(google_settings).compose(request(), progress)

    [sent] = fake_gemini.requests
    assert sent.method == "POST"
    assert sent.path == "/v1beta/models/gemini-3-pro-image:generateContent"
    assert sent.headers["x-goog-api-key"] == fake_gemini.api_key
    body = sent.json
    parts = body["contents"][0]["parts"]
    assert len(parts) == 3
    person, product, text = parts
    assert b64bytes(person["inlineData"]["data"]) == PERSON
    assert person["inlineData"]["mime_type"] == "image/jpeg"
    assert b64bytes(product["inlineData"]["data"]) == PRODUCT
    assert product["inlineData"]["mime_type"] == "image/png"
    prompt = text["text"]
    assert prompt.index("first image is the person") < prompt.index("second image is the product")
    assert "Glow Serum" in prompt
    assert "Vitamin C face serum" in prompt
    assert "bright bathroom" in prompt
    assert "label" in prompt and "colours" in prompt
    config = body["generationConfig"]
    assert config["responseModalities"] == ["IMAGE"]
    assert config["imageConfig"] == {"aspectRatio": "9:16", "imageSize": "1K"}


async def test_reads_the_last_image_part(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(image=[image_ok(size=(300, 300), text="Here is your image")])

    image = await GeminiImageEngine(google_settings).compose(request("1:1"), progress)

    assert png_size(image.png) == (1080, 1080)


async def test_rate_limit_then_success(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(image=[rate_limited("37s")])
    engine = GeminiImageEngine(google_settings)

    with pytest.raises(EngineUnavailable) as caught:
        await engine.compose(request(), progress)
    assert caught.value.retry_after == 37.0
    image = await engine.compose(request(), progress)

    assert png_size(image.png) == (1080, 1920)
    assert len(fake_gemini.image_requests) == 2


async def test_rate_limit_without_retry_info(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(image=[rate_limited(None)])

    with pytest.raises(EngineUnavailable) as caught:
        await GeminiImageEngine(google_settings).compose(request(), progress)
    assert caught.value.retry_after is None


@pytest.mark.parametrize(
    "reply",
    [unavailable(), http_error(500, "INTERNAL", "oops"), http_error(504, "DEADLINE", "slow")],
)
async def test_server_errors_are_transient(
    google_settings: Settings, fake_gemini: FakeGemini, progress, reply: Reply
) -> None:
    fake_gemini.script(image=[reply])

    with pytest.raises(EngineUnavailable):
        await GeminiImageEngine(google_settings).compose(request(), progress)


async def test_client_timeout_is_transient(fake_gemini: FakeGemini, progress) -> None:
    settings = load_settings(gemini_timeout_seconds=0.3, **fake_gemini.settings_overrides())
    fake_gemini.script(image=[slow(3)])

    with pytest.raises(EngineUnavailable, match="did not answer in time"):
        await GeminiImageEngine(settings).compose(request(), progress)


async def test_unreachable_service_is_transient(progress) -> None:
    settings = load_settings(gemini_api_key="k", gemini_base_url="http://127.0.0.1:9")

    with pytest.raises(EngineUnavailable, match="could not be reached"):
        await GeminiImageEngine(settings).compose(request(), progress)


@pytest.mark.parametrize("reason", ["SAFETY", "PROHIBITED_CONTENT", "OTHER"])
async def test_blocked_prompt_is_rejected(
    google_settings: Settings, fake_gemini: FakeGemini, progress, reason: str
) -> None:
    fake_gemini.script(image=[blocked_prompt(reason)])

    with pytest.raises(EngineRejected) as caught:
        await GeminiImageEngine(google_settings).compose(request(), progress)
    assert caught.value.message.startswith("The image service declined this request: ")


@pytest.mark.parametrize(
    "reason",
    ["IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "NO_IMAGE", "IMAGE_RECITATION", "IMAGE_OTHER"],
)
async def test_image_finish_reasons_are_rejected(
    google_settings: Settings, fake_gemini: FakeGemini, progress, reason: str
) -> None:
    fake_gemini.script(image=[finish_reason(reason)])

    with pytest.raises(EngineRejected, match=r"^The image service declined this request: "):
        await GeminiImageEngine(google_settings).compose(request(), progress)


async def test_image_safety_message_reads_well(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(image=[finish_reason("IMAGE_SAFETY")])

    with pytest.raises(EngineRejected) as caught:
        await GeminiImageEngine(google_settings).compose(request(), progress)
    assert "safety filter" in caught.value.message
    assert "IMAGE_SAFETY" not in caught.value.message


async def test_text_only_answer_is_rejected(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(image=[text_only("I cannot edit photos of real people.")])

    with pytest.raises(EngineRejected) as caught:
        await GeminiImageEngine(google_settings).compose(request(), progress)
    assert "did not return an image" in caught.value.message
    assert "I cannot edit photos of real people." in caught.value.message


async def test_bad_api_key_is_a_clear_refusal(fake_gemini: FakeGemini, progress) -> None:
    settings = load_settings(
        gemini_api_key="wrong-secret-key", gemini_base_url=fake_gemini.base_url
    )

    with pytest.raises(EngineRejected) as caught:
        await GeminiImageEngine(settings).compose(request(), progress)
    assert "refused its API key" in caught.value.message
    assert "wrong-secret-key" not in str(caught.value)
    assert fake_gemini.requests[0].headers["x-goog-api-key"] == "wrong-secret-key"


@pytest.mark.parametrize("code", [401, 403])
async def test_auth_errors_are_refusals(
    google_settings: Settings, fake_gemini: FakeGemini, progress, code: int
) -> None:
    fake_gemini.script(image=[http_error(code, "PERMISSION_DENIED", "Permission denied.")])

    with pytest.raises(EngineRejected, match="refused its API key"):
        await GeminiImageEngine(google_settings).compose(request(), progress)


async def test_bad_request_is_rejected_with_the_reason(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(image=[http_error(400, "INVALID_ARGUMENT", "Unsupported image.")])

    with pytest.raises(EngineRejected, match="declined this request: Unsupported image"):
        await GeminiImageEngine(google_settings).compose(request(), progress)


async def test_garbled_image_is_transient(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    data = base64.b64encode(b"not a png at all").decode()
    parts = [{"inlineData": {"mimeType": "image/png", "data": data}}]
    body = {"candidates": [{"content": {"role": "model", "parts": parts}}]}
    fake_gemini.script(image=[Reply(200, body)])

    with pytest.raises(EngineUnavailable, match="cannot be read"):
        await GeminiImageEngine(google_settings).compose(request(), progress)


def test_missing_api_key_fails_at_construction() -> None:
    settings = load_settings(gemini_api_key=None)

    with pytest.raises(SettingsError, match="UGC_GEMINI_API_KEY"):
        GeminiImageEngine(settings)


async def test_model_and_size_come_from_settings(fake_gemini: FakeGemini, progress) -> None:
    settings = load_settings(
        gemini_image_model="gemini-next-image",
        gemini_image_size="2K",
        **fake_gemini.settings_overrides(),
    )

    await GeminiImageEngine(settings).compose(request("16:9"), progress)

    [sent] = fake_gemini.requests
    assert sent.path == "/v1beta/models/gemini-next-image:generateContent"
    assert sent.json["generationConfig"]["imageConfig"]["imageSize"] == "2K"


def test_bad_key_reply_is_scriptable(fake_gemini: FakeGemini) -> None:
    assert bad_api_key().status == 400


@pytest.mark.parametrize(
    "model", ["gemini-3-pro-image", "gemini-3.1-flash-image", "gemini-nano-banana-2.1"]
)
@pytest.mark.parametrize("size", ["1K", "2K", "4K"])
async def test_documented_models_and_every_size(
    fake_gemini: FakeGemini, progress, model: str, size: str
) -> None:
    settings = load_settings(
        gemini_image_model=model, gemini_image_size=size, **fake_gemini.settings_overrides()
    )

    await GeminiImageEngine(settings).compose(request(), progress)

    [sent] = fake_gemini.requests
    assert sent.path == f"/v1beta/models/{model}:generateContent"
    assert sent.json["generationConfig"]["imageConfig"]["imageSize"] == size


@pytest.mark.parametrize("aspect", ["9:16", "16:9", "1:1"])
async def test_every_aspect_ratio_the_product_offers_is_asked_natively(
    google_settings: Settings, fake_gemini: FakeGemini, progress, aspect: AspectRatio
) -> None:
    image = await GeminiImageEngine(google_settings).compose(request(aspect), progress)

    assert png_size(image.png) == IMAGE_SIZES[aspect]
    [sent] = fake_gemini.requests
    assert sent.json["generationConfig"]["imageConfig"]["aspectRatio"] == aspect


async def test_retired_model_names_the_setting_to_change(fake_gemini: FakeGemini, progress) -> None:
    settings = load_settings(
        gemini_image_model="gemini-3-pro-image-preview", **fake_gemini.settings_overrides()
    )

    with pytest.raises(EngineRejected) as caught:
        await GeminiImageEngine(settings).compose(request(), progress)

    assert caught.value.message == (
        "The image service's model is retired or unknown; the server's operator must set "
        "UGC_GEMINI_IMAGE_MODEL to a current model id."
    )
    assert len(fake_gemini.requests) == 1


async def test_a_retry_after_drift_insists_on_the_product(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    engine = GeminiImageEngine(google_settings)
    await engine.compose(request(), progress)
    await engine.compose(dataclasses.replace(request(), emphasis=1), progress)

    first, second = (r.json["contents"][0]["parts"][2]["text"] for r in fake_gemini.requests)
    assert "an earlier attempt altered the product" not in first
    assert "an earlier attempt altered the product" in second
    assert second.startswith(first.split("\n\n")[0])

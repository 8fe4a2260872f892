"""OmniVideoEngine through the real google-genai SDK against the fake Interactions API."""

from __future__ import annotations

import base64
import dataclasses
import io
import time

import av
import pytest

from tests.fakes.gemini_server import (
    FakeGemini,
    bad_api_key,
    omni_ended,
    omni_failed,
    omni_never_done,
    omni_ok,
    rate_limited,
    retired_model,
    unavailable,
)
from tests.fakes.media import make_mp4, make_png
from ugc.config import Settings, SettingsError, load_settings
from ugc.engines.base import (
    AspectRatio,
    EngineRejected,
    EngineUnavailable,
    VideoRequest,
)
from ugc.engines.google.omni import OmniVideoEngine
from ugc.engines.google.saved import SavedInteraction

IMAGE = make_png(1080, 1920)


class Checkpoints:
    """Collects what the engine asks to save."""

    def __init__(self) -> None:
        self.saved: list[str] = []
        self.operations: list[str | None] = []

    async def __call__(self, token: str, operation_id: str | None = None) -> None:
        self.saved.append(token)
        self.operations.append(operation_id)


def request(
    aspect_ratio: AspectRatio = "9:16",
    checkpoint: str | None = None,
    saver: Checkpoints | None = None,
) -> VideoRequest:
    return VideoRequest(
        image=IMAGE,
        product_name="Glow Serum",
        product_description="Vitamin C face serum",
        prompt="smiling, kitchen background",
        aspect_ratio=aspect_ratio,
        checkpoint=checkpoint,
        save_checkpoint=saver,
        project_id="proj-1",
        job_id="job-1",
    )


def facts(data: bytes) -> tuple[str, int, int, str, bool]:
    """(codec, width, height, pix_fmt, has audio) of an MP4."""
    with av.open(io.BytesIO(data)) as container:
        ctx = container.streams.video[0].codec_context
        return ctx.name, ctx.width, ctx.height, str(ctx.pix_fmt), bool(container.streams.audio)


@pytest.mark.parametrize("delivery", ["uri", "inline"])
async def test_video_arrives_by_either_delivery(
    fake_gemini: FakeGemini, google_settings: Settings, progress, delivery: str
) -> None:
    settings = google_settings.model_copy(update={"omni_delivery": delivery})
    fake_gemini.script(video=[omni_ok(polls=3)])

    video = await OmniVideoEngine(settings).animate(request(), progress)

    assert facts(video.mp4) == ("h264", 720, 1280, "yuv420p", True)
    [create] = fake_gemini.create_requests
    body = create.json
    assert create.headers["x-goog-api-key"] == fake_gemini.api_key
    assert body["model"] == "gemini-omni-1.1-flash"
    assert body["background"] is True
    assert body["generation_config"] == {"video_config": {"task": "image_to_video"}}
    assert body["response_format"] == {
        "type": "video",
        "aspect_ratio": "9:16",
        "resolution": "720p",
        "duration": "8s",
        "delivery": delivery,
    }
    [turn] = body["input"]
    image, text = turn["content"]
    assert base64.b64decode(image["data"]) == IMAGE
    assert image["mime_type"] == "image/png"
    assert "Glow Serum (Vitamin C face serum)" in text["text"]
    assert "No on-screen text" in text["text"]
    [interaction] = fake_gemini.interactions
    assert {r.path for r in fake_gemini.poll_requests} == {f"/v1beta/interactions/{interaction}"}
    downloads = [r for r in fake_gemini.requests if r.path.startswith("/v1beta/files/")]
    assert len(downloads) == (1 if delivery == "uri" else 0)
    assert progress.reports[-1] == ("video ready", 1.0)


async def test_duration_and_resolution_come_from_settings(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    settings = google_settings.model_copy(update={"omni_seconds": 5, "omni_resolution": "360p"})

    video = await OmniVideoEngine(settings).animate(request("16:9"), progress)

    fmt = fake_gemini.create_requests[0].json["response_format"]
    assert (fmt["duration"], fmt["resolution"], fmt["aspect_ratio"]) == ("5s", "360p", "16:9")
    assert facts(video.mp4)[1:3] == (640, 360)


def test_duration_outside_the_models_range_is_refused() -> None:
    with pytest.raises(
        SettingsError, match="UGC_OMNI_SECONDS: Input should be less than or equal to 10"
    ):
        load_settings(omni_seconds=12)


async def test_square_is_a_centre_crop_of_the_vertical_clip_with_its_audio(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    video = await OmniVideoEngine(google_settings).animate(request("1:1"), progress)

    assert facts(video.mp4) == ("h264", 720, 720, "yuv420p", True)
    assert fake_gemini.create_requests[0].json["response_format"]["aspect_ratio"] == "9:16"


async def test_interaction_id_and_start_time_are_saved_as_soon_as_create_returns(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    saver = Checkpoints()
    before = time.time()
    fake_gemini.script(video=[omni_ok(polls=2)])

    await OmniVideoEngine(google_settings).animate(request(saver=saver), progress)

    [token] = saver.saved
    saved = SavedInteraction.loads(token)
    assert saved is not None and saved.id in fake_gemini.interactions
    assert before <= saved.started_at <= time.time()
    # The interaction id goes with it: Google's webhooks name the job by it.
    assert saver.operations == [saved.id]
    # Saved before the first poll: the order of requests shows it.
    assert fake_gemini.requests[0].path == "/v1beta/interactions"


async def test_a_saved_interaction_is_polled_not_created_again(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[omni_ok(polls=4)])
    first = OmniVideoEngine(google_settings)
    saver = Checkpoints()
    interrupted = google_settings.model_copy(update={"omni_timeout_seconds": 0.001})
    with pytest.raises(EngineRejected):  # gives up at once, like a worker that died
        await OmniVideoEngine(interrupted).animate(request(saver=saver), progress)
    fake_gemini.interactions[SavedInteraction.loads(saver.saved[0]).id].cancelled = False
    token = SavedInteraction(SavedInteraction.loads(saver.saved[0]).id, time.time()).dumps()

    video = await first.animate(request(checkpoint=token), progress)

    assert facts(video.mp4)[0] == "h264"
    assert len(fake_gemini.create_requests) == 1


async def test_a_gone_interaction_is_created_anew(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    token = SavedInteraction("v1_expired", time.time()).dumps()
    saver = Checkpoints()

    await OmniVideoEngine(google_settings).animate(request(checkpoint=token, saver=saver), progress)

    assert len(fake_gemini.create_requests) == 1
    assert SavedInteraction.loads(saver.saved[0]).id != "v1_expired"


async def test_sdk_retries_are_off_on_create(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[unavailable()])

    with pytest.raises(EngineUnavailable, match="temporarily unavailable"):
        await OmniVideoEngine(google_settings).animate(request(), progress)

    assert len(fake_gemini.create_requests) == 1


async def test_rate_limit_on_create_carries_the_retry_delay(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[rate_limited("7s")])

    with pytest.raises(EngineUnavailable) as caught:
        await OmniVideoEngine(google_settings).animate(request(), progress)

    assert caught.value.retry_after == 7.0
    assert len(fake_gemini.create_requests) == 1


async def test_safety_failure_is_a_plain_refusal(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[omni_failed("The video would show a real public figure.")])

    with pytest.raises(EngineRejected) as caught:
        await OmniVideoEngine(google_settings).animate(request(), progress)

    assert caught.value.message == (
        "The video service declined this request: The video would show a real public figure."
    )


@pytest.mark.parametrize(
    ("status", "error", "words"),
    [
        ("cancelled", EngineUnavailable, r"stopped before finishing \(cancelled\)"),
        ("incomplete", EngineUnavailable, r"stopped before finishing \(incomplete\)"),
        ("budget_exceeded", EngineRejected, "spending limit was reached"),
    ],
)
async def test_other_terminal_statuses(
    fake_gemini: FakeGemini, google_settings: Settings, progress, status, error, words
) -> None:
    fake_gemini.script(video=[omni_ended(status)])

    with pytest.raises(error, match=words):
        await OmniVideoEngine(google_settings).animate(request(), progress)


async def test_an_incomplete_interaction_is_not_resumed(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[omni_ended("incomplete"), omni_ok()])
    saver = Checkpoints()
    engine = OmniVideoEngine(google_settings)
    with pytest.raises(EngineUnavailable):
        await engine.animate(request(saver=saver), progress)

    await engine.animate(request(checkpoint=saver.saved[0], saver=saver), progress)

    assert len(fake_gemini.create_requests) == 2


async def test_timeout_cancels_the_interaction(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    settings = google_settings.model_copy(update={"omni_timeout_seconds": 0.3})
    fake_gemini.script(video=[omni_never_done()])

    with pytest.raises(EngineRejected, match=r"did not finish within 0\.3 seconds"):
        await OmniVideoEngine(settings).animate(request(), progress)

    [cancel] = fake_gemini.cancel_requests
    [interaction] = fake_gemini.interactions.values()
    assert cancel.path == f"/v1beta/interactions/{interaction.id}/cancel"
    assert interaction.cancelled


async def test_a_failed_poll_does_not_abandon_the_video(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[omni_ok(polls=2)], poll=[unavailable()])

    await OmniVideoEngine(google_settings).animate(request(), progress)

    assert len(fake_gemini.create_requests) == 1
    assert len(fake_gemini.poll_requests) == 3


async def test_bad_key_is_a_configuration_message(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[bad_api_key()])

    with pytest.raises(EngineRejected) as caught:
        await OmniVideoEngine(google_settings).animate(request(), progress)

    assert caught.value.message == (
        "The video service refused its API key; check UGC_GEMINI_API_KEY on the server."
    )


async def test_retired_model_names_the_setting(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[retired_model("gemini-omni-1.0-flash")])

    with pytest.raises(EngineRejected, match="must set UGC_OMNI_MODEL to a current model id"):
        await OmniVideoEngine(google_settings).animate(request(), progress)


async def test_unplayable_video_is_transient(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    fake_gemini.script(video=[omni_ok(mp4=b"not an mp4")])

    with pytest.raises(EngineUnavailable, match="does not play"):
        await OmniVideoEngine(google_settings).animate(request(), progress)


async def test_an_already_normal_clip_passes_untouched(
    fake_gemini: FakeGemini, google_settings: Settings, progress
) -> None:
    clip = make_mp4(720, 1280, faststart=True)
    fake_gemini.script(video=[omni_ok(mp4=clip)])

    video = await OmniVideoEngine(google_settings).animate(
        dataclasses.replace(request(), speech=False), progress
    )

    assert video.mp4 == clip
    text = fake_gemini.create_requests[0].json["input"][0]["content"][1]["text"]
    assert "No dialogue" in text

"""VeoVideoEngine through the real google-genai SDK against the fake Veo server."""

from __future__ import annotations

import dataclasses
import time

import pytest

from tests.fakes.gemini_server import (
    FakeGemini,
    b64bytes,
    http_error,
    rate_limited,
    unavailable,
    video_empty,
    video_error,
    video_filtered,
    video_never_done,
    video_ok,
)
from tests.fakes.media import make_mp4, make_png
from ugc.config import Settings, SettingsError, load_settings
from ugc.engines.base import (
    VIDEO_SIZES,
    AspectRatio,
    EngineError,
    EngineRejected,
    EngineUnavailable,
    VideoRequest,
)
from ugc.engines.google import mp4
from ugc.engines.google.veo import SavedOperation, VeoVideoEngine

IMAGE = make_png(1080, 1920)


class Checkpoints:
    """Collects what the engine asks to save."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    async def __call__(self, token: str) -> None:
        self.saved.append(token)


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


@pytest.mark.parametrize("aspect_ratio", ["9:16", "16:9", "1:1"])
async def test_animate_returns_checked_faststart_h264(
    google_settings: Settings, fake_gemini: FakeGemini, progress, aspect_ratio: AspectRatio
) -> None:
    fake_gemini.script(video=[video_ok(polls=3)])

    video = await VeoVideoEngine(google_settings).animate(request(aspect_ratio), progress)

    info = mp4.probe(video.mp4)
    assert (info.width, info.height) == VIDEO_SIZES[aspect_ratio]
    assert (info.codec, info.pix_fmt, info.faststart) == ("h264", "yuv420p", True)
    assert info.frames >= 24
    assert len(fake_gemini.video_requests) == 1
    assert len(fake_gemini.poll_requests) == 3


async def test_square_asks_vertical_and_crops_to_720(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    video = await VeoVideoEngine(google_settings).animate(request("1:1"), progress)

    params = fake_gemini.video_requests[0].json["parameters"]
    assert params["aspectRatio"] == "9:16"
    info = mp4.probe(video.mp4)
    assert (info.width, info.height, info.codec) == (720, 720, "h264")


async def test_request_on_the_wire(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    await VeoVideoEngine(google_settings).animate(request("16:9"), progress)

    start = fake_gemini.video_requests[0]
    assert start.path == "/v1beta/models/veo-3.1-generate-preview:predictLongRunning"
    assert start.headers["x-goog-api-key"] == fake_gemini.api_key
    instance = start.json["instances"][0]
    assert b64bytes(instance["image"]["bytesBase64Encoded"]) == IMAGE
    assert instance["image"]["mimeType"] == "image/png"
    assert "Glow Serum: Vitamin C face serum" in instance["prompt"]
    assert "kitchen background" in instance["prompt"]
    assert start.json["parameters"] == {
        "aspectRatio": "16:9",
        "resolution": "720p",
        "durationSeconds": 8,
        "personGeneration": "allow_adult",
        "sampleCount": 1,
    }
    op_name = next(iter(fake_gemini.operations))
    assert fake_gemini.poll_requests[0].path == f"/v1beta/{op_name}"
    download = fake_gemini.requests[-1]
    assert download.path.startswith("/v1beta/files/") and download.query == {"alt": "media"}


async def test_duration_and_model_come_from_settings(fake_gemini: FakeGemini, progress) -> None:
    settings = load_settings(
        veo_model="veo-next",
        veo_seconds=4,
        veo_poll_seconds=0.01,
        **fake_gemini.settings_overrides(),
    )

    await VeoVideoEngine(settings).animate(request(), progress)

    start = fake_gemini.video_requests[0]
    assert start.path == "/v1beta/models/veo-next:predictLongRunning"
    assert start.json["parameters"]["durationSeconds"] == 4


async def test_progress_rises_while_waiting(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[video_ok(polls=5)])

    await VeoVideoEngine(google_settings).animate(request(), progress)

    fractions = [fraction for _, fraction in progress.reports]
    assert fractions == sorted(fractions)
    assert fractions[-1] == 1.0
    assert sum(stage == "rendering video" for stage, _ in progress.reports) == 5


async def test_faststart_result_is_kept_as_is(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    original = make_mp4(720, 1280, faststart=True)
    fake_gemini.script(video=[video_ok(mp4=original)])

    video = await VeoVideoEngine(google_settings).animate(request(), progress)

    assert video.mp4 == original


async def test_wrong_size_result_is_reencoded(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[video_ok(mp4=make_mp4(1080, 1920, 1.0))])

    video = await VeoVideoEngine(google_settings).animate(request(), progress)

    info = mp4.probe(video.mp4)
    assert (info.width, info.height, info.faststart) == (720, 1280, True)


async def test_unplayable_result_is_transient(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[video_ok(mp4=b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)])

    with pytest.raises(EngineUnavailable, match="does not play"):
        await VeoVideoEngine(google_settings).animate(request(), progress)


async def test_rate_limit_on_start_then_success(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[rate_limited("12s")])
    engine = VeoVideoEngine(google_settings)

    with pytest.raises(EngineUnavailable) as caught:
        await engine.animate(request(), progress)
    assert caught.value.retry_after == 12.0
    video = await engine.animate(request(), progress)

    assert mp4.probe(video.mp4).frames > 0
    assert len(fake_gemini.video_requests) == 2
    assert len(fake_gemini.operations) == 1


async def test_unavailable_on_start(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[unavailable()])

    with pytest.raises(EngineUnavailable):
        await VeoVideoEngine(google_settings).animate(request(), progress)


async def test_a_failed_poll_does_not_abandon_the_operation(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[video_ok(polls=2)], poll=[unavailable(), rate_limited()])

    video = await VeoVideoEngine(google_settings).animate(request(), progress)

    assert mp4.probe(video.mp4).frames > 0
    assert len(fake_gemini.video_requests) == 1
    assert len(fake_gemini.poll_requests) == 4


async def test_filtered_video_is_rejected_with_the_reason(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    reason = "The video could not be generated because it may depict a minor."
    fake_gemini.script(video=[video_filtered(reason)])

    with pytest.raises(EngineRejected) as caught:
        await VeoVideoEngine(google_settings).animate(request(), progress)
    assert caught.value.message == f"The video service declined this request: {reason}"


@pytest.mark.parametrize(
    ("code", "error_type"),
    [(13, EngineUnavailable), (3, EngineRejected), (2, EngineRejected)],
)
async def test_operation_error_is_reported(
    google_settings: Settings,
    fake_gemini: FakeGemini,
    progress,
    code: int,
    error_type: type[EngineError],
) -> None:
    fake_gemini.script(video=[video_error("Video generation failed", code=code)])

    with pytest.raises(error_type) as caught:
        await VeoVideoEngine(google_settings).animate(request(), progress)
    assert "Video generation failed" in caught.value.message


async def test_poll_timeout_fails_for_good(fake_gemini: FakeGemini, progress) -> None:
    settings = load_settings(
        veo_poll_seconds=0.02, veo_timeout_seconds=0.2, **fake_gemini.settings_overrides()
    )
    fake_gemini.script(video=[video_never_done()])

    # The time budget is for the whole video: a retry would have none left.
    with pytest.raises(EngineRejected, match=r"did not finish within 0\.2 seconds"):
        await VeoVideoEngine(settings).animate(request(), progress)
    assert 3 <= len(fake_gemini.poll_requests) <= 12


async def test_the_time_limit_counts_from_the_operations_start_across_attempts(
    fake_gemini: FakeGemini, progress
) -> None:
    settings = load_settings(
        veo_poll_seconds=0.02, veo_timeout_seconds=5, **fake_gemini.settings_overrides()
    )
    fake_gemini.script(video=[video_never_done()])
    saver = Checkpoints()
    with pytest.raises(EngineRejected):  # first attempt, cut short by a tight limit
        await VeoVideoEngine(
            load_settings(
                veo_poll_seconds=0.01, veo_timeout_seconds=0.05, **fake_gemini.settings_overrides()
            )
        ).animate(request(saver=saver), progress)
    [first] = saver.saved
    # The same operation, saved as having started 6 s ago: its 5 s are already spent.
    saved = SavedOperation.loads(first)
    late = SavedOperation(saved.name, time.time() - 6).dumps()
    polls = len(fake_gemini.poll_requests)

    with pytest.raises(EngineRejected, match="did not finish within 5 seconds"):
        await VeoVideoEngine(settings).animate(request(checkpoint=late, saver=saver), progress)
    assert len(fake_gemini.video_requests) == 1  # resumed, never restarted
    assert len(fake_gemini.poll_requests) == polls + 1  # one look, no waiting


async def test_checkpoint_saved_right_after_start(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    saver = Checkpoints()

    before = time.time()
    await VeoVideoEngine(google_settings).animate(request(saver=saver), progress)

    [saved] = [SavedOperation.loads(text) for text in saver.saved]
    assert [saved.name] == list(fake_gemini.operations)
    assert before <= saved.started_at <= time.time()


async def test_checkpoint_save_failure_does_not_waste_the_operation(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    async def broken(token: str) -> None:
        raise RuntimeError("database is down")

    req = dataclasses.replace(request(), save_checkpoint=broken)
    video = await VeoVideoEngine(google_settings).animate(req, progress)

    assert mp4.probe(video.mp4).frames > 0


async def test_resume_polls_the_saved_operation_and_starts_none(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    # First attempt: the worker dies (here: a timeout) while Veo is still rendering.
    fake_gemini.script(video=[video_ok(polls=6)])
    saver = Checkpoints()
    short = load_settings(
        veo_poll_seconds=0.01, veo_timeout_seconds=0.03, **fake_gemini.settings_overrides()
    )
    with pytest.raises(EngineRejected):
        await VeoVideoEngine(short).animate(request(saver=saver), progress)
    [checkpoint] = saver.saved

    retry = request(checkpoint=checkpoint, saver=saver)
    video = await VeoVideoEngine(google_settings).animate(retry, progress)

    assert mp4.probe(video.mp4).frames > 0
    assert len(fake_gemini.video_requests) == 1
    assert saver.saved == [checkpoint]
    name = SavedOperation.loads(checkpoint).name
    assert all(r.path == f"/v1beta/{name}" for r in fake_gemini.poll_requests)


async def test_resume_of_a_finished_operation_only_downloads(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    await VeoVideoEngine(google_settings).animate(request(), progress)
    [name] = fake_gemini.operations

    await VeoVideoEngine(google_settings).animate(request(checkpoint=name), progress)

    assert len(fake_gemini.video_requests) == 1


async def test_resume_of_an_unknown_operation_starts_anew(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    saver = Checkpoints()
    gone = "models/veo-3.1-generate-preview/operations/expired1"

    await VeoVideoEngine(google_settings).animate(request(checkpoint=gone, saver=saver), progress)

    assert len(fake_gemini.video_requests) == 1
    assert [SavedOperation.loads(text).name for text in saver.saved] == list(fake_gemini.operations)


async def test_resume_of_a_failed_operation_starts_anew(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[video_error("Transient backend error", code=14)])
    engine = VeoVideoEngine(google_settings)
    saver = Checkpoints()
    with pytest.raises(EngineUnavailable):
        await engine.animate(request(saver=saver), progress)

    video = await engine.animate(request(checkpoint=saver.saved[0], saver=saver), progress)

    assert mp4.probe(video.mp4).frames > 0
    assert len(fake_gemini.video_requests) == 2


async def test_download_failure_is_transient(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(download=[http_error(503, "UNAVAILABLE", "try later")])

    with pytest.raises(EngineUnavailable):
        await VeoVideoEngine(google_settings).animate(request(), progress)


def test_missing_api_key_fails_at_construction() -> None:
    with pytest.raises(SettingsError, match="UGC_GEMINI_API_KEY"):
        VeoVideoEngine(load_settings(gemini_api_key=""))


async def test_empty_result_is_transient_and_the_retry_starts_anew(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[video_empty()])
    engine = VeoVideoEngine(google_settings)
    saver = Checkpoints()
    with pytest.raises(EngineUnavailable, match="without returning a video"):
        await engine.animate(request(saver=saver), progress)

    video = await engine.animate(request(checkpoint=saver.saved[0], saver=saver), progress)

    assert mp4.probe(video.mp4).frames > 0
    assert len(fake_gemini.video_requests) == 2


async def test_resume_of_a_filtered_operation_is_still_rejected(
    google_settings: Settings, fake_gemini: FakeGemini, progress
) -> None:
    fake_gemini.script(video=[video_filtered("Unsafe content.")])
    engine = VeoVideoEngine(google_settings)
    saver = Checkpoints()
    with pytest.raises(EngineRejected):
        await engine.animate(request(saver=saver), progress)

    with pytest.raises(EngineRejected, match="Unsafe content"):
        await engine.animate(request(checkpoint=saver.saved[0]), progress)
    assert len(fake_gemini.video_requests) == 1


def test_a_saved_operation_with_a_damaged_start_time_counts_from_now() -> None:
    before = time.time()
    saved = SavedOperation.loads('{"operation": "models/veo/operations/x", "startedAt": NaN}')
    assert saved.name == "models/veo/operations/x" and saved.started_at >= before
    legacy = SavedOperation.loads("models/veo/operations/y")  # saved before start times
    assert legacy.name == "models/veo/operations/y" and legacy.started_at >= before

"""Google's webhooks finish video jobs: the real SDK against the fake Interactions API, the
fake's deliveries signed the way Standard Webhooks signs, and the app's webhook route.

With webhooks on, status checks slow to UGC_OMNI_WEBHOOK_POLL_SECONDS. Tests set that to an
hour to show a video finished by the webhook (one status check, after the delivery), or to
a blink with the fast poll at an hour to show that the slow poll alone still finishes a
video whose delivery was lost.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook

from tests.fakes.gemini_server import FakeGemini, omni_ok, omni_until_finished
from tests.jobs.worker_process import WorkerProcess
from tests.support import create_project, signup, wait_for_project
from ugc.jobs.models import Job, OperationNotice

HOOK = "/api/webhooks/google"
HOUR = 3600.0


def webhook_settings(fake: FakeGemini, **overrides: Any) -> dict[str, Any]:
    """An app on the fake with Google's webhooks on (an https public URL and the secret)."""
    return {
        "image_engine": "gemini",
        "video_engine": "omni",
        "public_url": "https://ugc.example",
        "gemini_webhook_secret": fake.webhook_secret,
        # Only the webhook can finish a video before the test gives up, unless overridden.
        "omni_poll_seconds": 0.01,
        "omni_webhook_poll_seconds": HOUR,
        "notice_check_seconds": 0.1,
        "omni_timeout_seconds": 2 * HOUR,
        "retry_base_seconds": 0.01,
        "gemini_timeout_seconds": 10,
        **fake.settings_overrides(),
        **overrides,
    }


async def project_with_image(client: httpx.AsyncClient) -> str:
    """A signed-up user's project whose image is ready; its id."""
    await signup(client)
    response = await create_project(client)
    assert response.status_code == 201, response.text
    project = await wait_for_project(client, response.json()["projectId"], within=60)
    assert project["status"] == "ready", project["error"]
    return str(project["id"])


async def video_job(app: Any, project_id: str) -> Job | None:
    """The project's video job row, fresh from the database."""
    async with app.state.db.session() as session:
        job: Job | None = await session.scalar(
            select(Job).where(Job.project_id == uuid.UUID(project_id), Job.kind == "video")
        )
        return job


async def start_video(client: httpx.AsyncClient, project_id: str) -> str:
    """Ask for the video and wait until its job waits on an interaction; the interaction id."""
    response = await client.post("/api/project/video", json={"projectId": project_id})
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 30
    while (job := await video_job(client.app, project_id)) is None or job.operation_id is None:
        assert time.monotonic() < deadline, "the video job never started its interaction"
        await asyncio.sleep(0.05)
    return job.operation_id


async def deliver(client: httpx.AsyncClient, fake: FakeGemini, interaction: str, **options: Any):
    """POST the fake's signed delivery for `interaction` to the app."""
    headers, body = fake.signed_webhook(interaction, **options)
    return await client.post(HOOK, content=body, headers=headers)


async def notices(app: Any) -> list[tuple[str, str, str]]:
    """Every kept notice as (message id, interaction id, event)."""
    async with app.state.db.session() as session:
        rows = await session.execute(
            select(OperationNotice.message_id, OperationNotice.operation_id, OperationNotice.event)
        )
        return [tuple(row) for row in rows.all()]


async def finished_video(client: httpx.AsyncClient, project_id: str) -> dict[str, Any]:
    """Wait until the video job has ended; the project."""
    return await wait_for_project(
        client, project_id, lambda p: p["generatedVideo"] is not None or p["error"], within=60
    )


async def test_video_finishes_on_the_webhook_with_one_status_check(make_client, fake_gemini):
    # The job waits in this process: it is woken at once, not by its look at the database.
    client = await make_client(**webhook_settings(fake_gemini, notice_check_seconds=HOUR))
    project_id = await project_with_image(client)
    fake_gemini.script(video=[omni_until_finished()])
    interaction = await start_video(client, project_id)
    # Webhooks on: the one-hour fallback poll, not the 10 ms one, paces the status checks.
    assert fake_gemini.poll_requests == []
    # Google's webhooks are the ones registered for the project, signed with its secret: a
    # per-request webhook_config would send them elsewhere, signed otherwise.
    assert "webhook_config" not in fake_gemini.create_requests[0].json

    fake_gemini.finish(interaction)
    answer = await deliver(client, fake_gemini, interaction, message_id="msg_done")

    assert answer.status_code == 200, answer.text
    assert answer.json() == {"received": True, "outcome": "accepted"}
    project = await finished_video(client, project_id)
    assert project["generatedVideo"], project["error"]
    polled = [r.path for r in fake_gemini.poll_requests]
    assert polled == [f"/v1beta/interactions/{interaction}"]
    assert len(fake_gemini.create_requests) == 1
    assert await notices(client.app) == [("msg_done", interaction, "interaction.completed")]
    assert (await client.get("/api/user/credits")).json() == {"credits": 5}


async def test_a_failed_interaction_fails_the_job_on_its_webhook_and_refunds(
    make_client, fake_gemini
):
    client = await make_client(**webhook_settings(fake_gemini))
    project_id = await project_with_image(client)
    fake_gemini.script(video=[omni_until_finished("failed")])
    interaction = await start_video(client, project_id)

    fake_gemini.finish(interaction)
    answer = await deliver(client, fake_gemini, interaction, event="interaction.failed")

    assert answer.json()["outcome"] == "accepted"
    project = await finished_video(client, project_id)
    assert project["generatedVideo"] is None
    assert project["error"] == (
        "The video could not be made: The video service declined this request: "
        "Blocked by safety filters. Your 10 credits were refunded."
    )
    assert len(fake_gemini.poll_requests) == 1
    assert (await client.get("/api/user/credits")).json() == {"credits": 15}


async def test_a_repeated_delivery_is_kept_once(make_client, fake_gemini):
    client = await make_client(**webhook_settings(fake_gemini))
    project_id = await project_with_image(client)
    fake_gemini.script(video=[omni_until_finished()])
    interaction = await start_video(client, project_id)
    # Google says it ended before its own status says so: the job checks, finds it still
    # rendering, and goes back to waiting.
    headers, body = fake_gemini.signed_webhook(interaction, message_id="msg_early")
    first = await client.post(HOOK, content=body, headers=headers)
    deadline = time.monotonic() + 30
    while len(fake_gemini.poll_requests) < 1:
        assert time.monotonic() < deadline, "the webhook did not wake the job"
        await asyncio.sleep(0.05)

    again = await client.post(HOOK, content=body, headers=headers)  # Google's retry

    assert first.json()["outcome"] == "accepted"
    assert again.status_code == 200
    assert again.json()["outcome"] == "replayed"
    assert await notices(client.app) == [("msg_early", interaction, "interaction.completed")]
    fake_gemini.finish(interaction)
    last = await deliver(client, fake_gemini, interaction, message_id="msg_late")
    assert last.json()["outcome"] == "accepted"
    project = await finished_video(client, project_id)
    assert project["generatedVideo"], project["error"]
    # One status check per delivery kept; the repeat woke nobody.
    assert len(fake_gemini.poll_requests) == 2
    assert len(await notices(client.app)) == 2


@pytest.mark.parametrize(
    "forgery",
    ["wrong-secret", "tampered-body", "stale", "from-the-future", "unsigned"],
)
async def test_a_bad_or_stale_signature_is_refused_and_changes_nothing(
    make_client, fake_gemini, forgery: str
):
    client = await make_client(**webhook_settings(fake_gemini))
    project_id = await project_with_image(client)
    fake_gemini.script(video=[omni_until_finished()])
    interaction = await start_video(client, project_id)
    fake_gemini.finish(interaction)
    options: dict[str, Any] = {
        "wrong-secret": {"secret": "whsec_" + "QUJDREVGR0hJSktMTU5PUA=="},
        "stale": {"timestamp": time.time() - 301},
        "from-the-future": {"timestamp": time.time() + 301},
    }.get(forgery, {})
    headers, body = fake_gemini.signed_webhook(interaction, **options)
    if forgery == "tampered-body":
        body = body.replace(b"interaction.completed", b"interaction.failed")
    if forgery == "unsigned":
        headers.pop("webhook-signature")

    answer = await client.post(HOOK, content=body, headers=headers)

    assert answer.status_code == 400, answer.text
    assert answer.json()["error"] == "invalid_signature"
    assert answer.json()["detail"].startswith("The webhook signature was refused")
    assert await notices(client.app) == []
    job = await video_job(client.app, project_id)
    assert job is not None and job.status == "running"
    assert fake_gemini.poll_requests == []
    # The genuine delivery still works afterwards.
    assert (await deliver(client, fake_gemini, interaction)).json()["outcome"] == "accepted"
    assert (await finished_video(client, project_id))["generatedVideo"]


async def test_an_interaction_no_job_waits_on_is_acknowledged_and_ignored(make_client, fake_gemini):
    client = await make_client(**webhook_settings(fake_gemini))

    unknown = await deliver(client, fake_gemini, "v1_someone_elses")
    batch_headers, batch_body = fake_gemini.signed_webhook("batches/123", event="batch.succeeded")
    batch = await client.post(HOOK, content=batch_body, headers=batch_headers)

    assert unknown.status_code == 200
    assert unknown.json() == {"received": True, "outcome": "unknown"}
    assert batch.json() == {"received": True, "outcome": "ignored"}
    assert await notices(client.app) == []
    async with client.app.state.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Job)) == 0


async def test_not_configured_is_503_and_a_body_that_is_not_json_is_400(make_client, fake_gemini):
    off = await make_client(**webhook_settings(fake_gemini, gemini_webhook_secret=None))
    on = await make_client(**webhook_settings(fake_gemini))
    headers, body = fake_gemini.signed_webhook("v1_any")

    refused = await off.post(HOOK, content=body, headers=headers)
    moment = datetime.now(UTC)
    garbled = await on.post(
        HOOK,
        content=b"not json",
        headers={
            "webhook-id": "msg_garbled",
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": Webhook(fake_gemini.webhook_secret).sign(
                "msg_garbled", moment, "not json"
            ),
        },
    )

    assert refused.status_code == 503
    assert refused.json()["detail"] == "Google webhooks are not set up on this server."
    # Signed, yet not an event: refused, and nothing kept.
    assert garbled.status_code == 400
    assert garbled.json()["detail"] == "The webhook body is not JSON."
    assert await notices(on.app) == []


async def test_a_lost_webhook_leaves_the_slow_poll_to_finish_the_video(make_client, fake_gemini):
    # The fast poll would take an hour: only the webhooks' fallback poll can finish this.
    settings = webhook_settings(fake_gemini, omni_poll_seconds=HOUR, omni_webhook_poll_seconds=0.05)
    client = await make_client(**settings)
    project_id = await project_with_image(client)
    fake_gemini.script(video=[omni_ok(polls=3)])

    await client.post("/api/project/video", json={"projectId": project_id})
    project = await finished_video(client, project_id)

    assert project["generatedVideo"], project["error"]
    assert len(fake_gemini.poll_requests) == 3
    assert await notices(client.app) == []


async def test_the_webhook_reaches_a_job_running_in_another_app(make_client, fake_gemini):
    # Two server processes on one database: the job waits in the first, Google's delivery
    # lands on the second, which has no job of its own to wake.
    first = await make_client(**webhook_settings(fake_gemini))
    second = await make_client(**webhook_settings(fake_gemini))
    project_id = await project_with_image(first)
    fake_gemini.script(video=[omni_until_finished()])
    interaction = await start_video(first, project_id)

    fake_gemini.finish(interaction)
    answer = await deliver(second, fake_gemini, interaction)

    assert answer.json()["outcome"] == "accepted"
    project = await finished_video(first, project_id)
    assert project["generatedVideo"], project["error"]
    assert len(fake_gemini.poll_requests) == 1


@pytest.mark.xdist_group("redis-workers")
async def test_the_webhook_reaches_a_job_in_a_separate_worker_process(
    make_client, settings_factory, fake_gemini, tmp_path
):
    shared = webhook_settings(
        fake_gemini,
        queue_url="redis://127.0.0.1:6379/0",
        queue_namespace=f"ugc-test-{uuid.uuid4().hex[:8]}",
        worker_threads=1,
    )
    client = await make_client(**shared)
    worker = WorkerProcess(settings_factory(**shared), tmp_path / "worker.log").start()
    try:
        project_id = await project_with_image(client)
        fake_gemini.script(video=[omni_until_finished()])
        interaction = await start_video(client, project_id)
        assert fake_gemini.poll_requests == []

        fake_gemini.finish(interaction)
        answer = await deliver(client, fake_gemini, interaction)

        assert answer.json()["outcome"] == "accepted"
        project = await finished_video(client, project_id)
        assert project["generatedVideo"], (project["error"], worker.log())
        assert len(fake_gemini.poll_requests) == 1
        assert len(fake_gemini.create_requests) == 1
    finally:
        worker.stop()

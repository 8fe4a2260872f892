"""A `ugc worker` killed mid-job (SIGKILL) loses neither the job nor the credits."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from tests.fakes.gemini_server import omni_ok
from tests.jobs.worker_process import WorkerProcess
from tests.live_server import free_port
from tests.support import create_project, signup, wait_for_project
from ugc.engines.google.saved import SavedInteraction
from ugc.jobs.models import Job

pytestmark = pytest.mark.xdist_group("redis-workers")

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_overrides() -> dict[str, object]:
    """A private Redis namespace and fast leases, shared by the app and its workers."""
    return {
        "queue_url": REDIS_URL,
        "queue_namespace": f"ugc-test-{uuid.uuid4().hex[:8]}",
        "job_lease_seconds": 3,
        "reconcile_interval_seconds": 0.5,
        "worker_threads": 1,
    }


@pytest.fixture
def workers(tmp_path) -> Iterator[list[WorkerProcess]]:
    """Worker processes started by a test; all stopped at teardown."""
    started: list[WorkerProcess] = []
    yield started
    for worker in started:
        worker.stop()


async def _video_job(app, project_id: str) -> Job:
    async with app.state.db.session() as session:
        job = await session.scalar(
            select(Job).where(Job.project_id == uuid.UUID(project_id), Job.kind == "video")
        )
        assert job is not None
        return job


async def test_killed_worker_job_is_finished_after_restart(
    make_client, settings_factory, redis_overrides, workers, tmp_path
):
    client = await make_client(**redis_overrides)
    settings = settings_factory(**redis_overrides)
    first = WorkerProcess(settings, tmp_path / "worker-1.log").start()
    workers.append(first)
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    project = await wait_for_project(client, project_id, within=60)
    assert project["status"] == "ready", first.log()

    accepted = await client.post("/api/project/video", json={"projectId": project_id})
    assert accepted.status_code == 202
    await wait_for_project(
        client, project_id, lambda p: p["status"] == "generating" and p["progress"] > 0.05
    )
    first.kill()
    job = await _video_job(client.app, project_id)
    assert job.status == "running" and job.attempts == 1

    metrics_port = free_port()
    second_settings = settings.model_copy(update={"worker_metrics_port": metrics_port})
    second = WorkerProcess(second_settings, tmp_path / "worker-2.log").start()
    workers.append(second)
    project = await wait_for_project(
        client, project_id, lambda p: not p["isGenerating"] and p["stage"] != "resuming", within=90
    )
    job = await _video_job(client.app, project_id)
    assert project["status"] == "ready", second.log()
    # The worker that finished the job counts it on its own metrics endpoint.
    async with httpx.AsyncClient(timeout=5) as http:
        metrics = (await http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
    assert 'ugc_jobs_total{kind="video",outcome=' in metrics, metrics
    if project["generatedVideo"]:
        assert job.status == "succeeded" and job.attempts == 2
        assert (await client.get("/api/user/credits")).json() == {"credits": 5}
    else:  # finished as a refunded failure: the credits came back
        assert job.status == "failed" and job.refunded
        assert (await client.get("/api/user/credits")).json() == {"credits": 15}


async def test_worker_killed_while_omni_renders_polls_the_same_interaction(
    make_client, settings_factory, redis_overrides, workers, tmp_path, fake_gemini
):
    google = {
        "image_engine": "gemini",
        "video_engine": "omni",
        "omni_poll_seconds": 0.2,
        "omni_timeout_seconds": 60,
        **fake_gemini.settings_overrides(),
    }
    # The interaction completes after 25 status checks (~5 s of polling), across two workers.
    fake_gemini.script(video=[omni_ok(polls=25)])
    client = await make_client(**redis_overrides, **google)
    settings = settings_factory(**redis_overrides, **google)
    first = WorkerProcess(settings, tmp_path / "worker-1.log").start()
    workers.append(first)
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    project = await wait_for_project(client, project_id, within=60)
    assert project["status"] == "ready", first.log()
    assert (await client.post("/api/project/video", json={"projectId": project_id})).is_success

    deadline = asyncio.get_running_loop().time() + 30
    while (job := await _video_job(client.app, project_id)).checkpoint is None:
        assert asyncio.get_running_loop().time() < deadline, first.log()
        await asyncio.sleep(0.05)
    assert len(fake_gemini.poll_requests) < 25
    first.kill()

    second = WorkerProcess(settings, tmp_path / "worker-2.log").start()
    workers.append(second)
    project = await wait_for_project(
        client, project_id, lambda p: p["generatedVideo"] is not None or p["error"], within=90
    )
    assert project["generatedVideo"], (project["error"], second.log())
    job = await _video_job(client.app, project_id)
    assert job.status == "succeeded" and job.attempts == 2
    assert len(fake_gemini.create_requests) == 1  # one paid video only
    saved = SavedInteraction.loads(job.checkpoint)
    assert saved is not None and saved.id in fake_gemini.interactions
    polled = {r.path for r in fake_gemini.poll_requests}
    assert polled == {f"/v1beta/interactions/{saved.id}"}
    assert (await client.get("/api/user/credits")).json() == {"credits": 5}

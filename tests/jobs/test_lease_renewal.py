"""The lease renewer outlives failing progress writes: a slow job is never run twice."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from datetime import timedelta

from sqlalchemy.exc import OperationalError

from tests.support import signup
from ugc.db.base import utcnow
from ugc.jobs import runner
from ugc.jobs.context import JobContext, ProgressTracker
from ugc.jobs.models import Job
from ugc.projects.models import Project
from ugc.projects.repository import ProjectRepository


async def _running_job(app, user_id: uuid.UUID) -> Job:
    project_id = uuid.uuid4()
    job = Job(
        project_id=project_id,
        user_id=user_id,
        kind="video",
        status="running",
        attempts=1,
        cost=0,
        lease_until=utcnow() + timedelta(seconds=3),
    )
    async with app.state.db.session() as session:
        session.add(
            Project(
                id=project_id,
                user_id=user_id,
                name="Slow",
                product_name="Slow",
                aspect_ratio="9:16",
                user_image="uploads/x/person.jpg",
                product_image="uploads/x/product.png",
                status="generating",
            )
        )
        await session.flush()
        session.add(job)
        await session.commit()
    return job


async def _lease_of(app, job_id: uuid.UUID):
    async with app.state.db.session() as session:
        job = await session.get(Job, job_id)
        assert job is not None
        return job.lease_until


async def test_failing_progress_writes_do_not_stop_lease_renewal(make_client, monkeypatch):
    client = await make_client(job_lease_seconds=3)
    app = client.app
    user = await signup(client)
    job = await _running_job(app, uuid.UUID(user["id"]))
    first_lease = await _lease_of(app, job.id)
    failures = 0

    async def locked(self, project_id, **values):
        nonlocal failures
        failures += 1
        raise OperationalError("UPDATE projects", {}, Exception("database is locked"))

    monkeypatch.setattr(ProjectRepository, "set_fields", locked)
    ctx = JobContext(
        settings=app.state.settings,
        db=app.state.db,
        storage=app.state.storage,
        queue=app.state.queue,
    )
    tracker = ProgressTracker()
    watcher = asyncio.create_task(runner._watch(ctx, job, tracker))
    leases = []
    for step in range(8):  # 4 s of an engine reporting progress; renewals every second
        tracker("rendering", step / 8)
        await asyncio.sleep(0.5)
        leases.append(await _lease_of(app, job.id))
    assert not watcher.done(), watcher.exception()
    watcher.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await watcher
    assert failures >= 3
    # Renewed again after the progress writes started failing, and more than once.
    assert leases[-1] > first_lease + timedelta(seconds=2)
    assert len(set(leases)) >= 3

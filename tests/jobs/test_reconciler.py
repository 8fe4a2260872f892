"""The reconciler runs jobs whose message never reached a worker."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import create_project, signup, wait_for_project
from ugc.db.base import utcnow
from ugc.jobs.models import Job
from ugc.jobs.reconciler import reconcile

pytestmark = pytest.mark.xdist_group("redis-workers")


async def test_queued_job_without_a_worker_runs_after_an_embedded_restart(make_client):
    # The message goes to a Redis namespace no worker ever reads: as good as lost.
    orphaned = await make_client(
        queue_url="redis://127.0.0.1:6379/0", queue_namespace=f"ugc-lost-{uuid.uuid4().hex[:8]}"
    )
    await signup(orphaned)
    project_id = (await create_project(orphaned)).json()["projectId"]
    stuck = (await orphaned.get(f"/api/user/projects/{project_id}")).json()["project"]
    assert stuck["status"] == "queued"

    # A new embedded process on the same database re-sends it at start-up.
    restarted = await make_client()
    restarted.cookies = orphaned.cookies
    project = await wait_for_project(restarted, project_id)
    assert project["status"] == "ready", project["error"]
    assert (await restarted.get("/api/user/credits")).json() == {"credits": 15}


async def _project_with_running_job(client, database_url: str, lease_left: timedelta) -> str:
    """A finished project whose job is then marked running (attempt 1) with this much lease."""
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    await wait_for_project(client, project_id)
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            update(Job).values(status="running", attempts=1, lease_until=utcnow() + lease_left)
        )
    await engine.dispose()
    return str(project_id)


async def _job(client) -> Job:
    async with client.app.state.db.session() as session:
        job = await session.scalar(select(Job))
        assert job is not None
        return job


async def test_a_starting_process_leaves_jobs_with_a_live_lease_alone(make_client, database_url):
    first = await make_client()
    # As if another web process were in the middle of this job, renewing its lease.
    await _project_with_running_job(first, database_url, lease_left=timedelta(minutes=5))

    sibling = await make_client()
    await reconcile(sibling.app.state.db, sibling.app.state.queue, startup=True, stale_after=60)

    job = await _job(sibling)
    assert (job.status, job.attempts) == ("running", 1)


async def test_a_job_whose_lease_ran_out_is_resumed_and_finished(make_client, database_url):
    client = await make_client()
    # Its worker died mid-job: the lease was not renewed and has run out.
    project_id = await _project_with_running_job(
        client, database_url, lease_left=timedelta(seconds=-1)
    )

    await reconcile(client.app.state.db, client.app.state.queue, startup=False, stale_after=60)

    project = await wait_for_project(client, project_id)
    job = await _job(client)
    assert project["status"] == "ready"
    assert (job.status, job.attempts) == ("succeeded", 2)
    assert (await client.get("/api/user/credits")).json() == {"credits": 15}

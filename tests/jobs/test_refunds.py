"""Final failure refunds exactly once, however often it is delivered."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from tests.support import create_project, signup, wait_for_project
from ugc.credits.models import LedgerEntry
from ugc.jobs.failures import fail_job
from ugc.jobs.models import Job


async def _job_for(app, project_id: str) -> Job:
    async with app.state.db.session() as session:
        job = await session.scalar(select(Job).where(Job.project_id == uuid.UUID(project_id)))
        assert job is not None
        return job


async def test_failure_delivered_twice_refunds_once(make_client):
    # An engine that cannot be reached: the job fails after its single attempt.
    client = await make_client(
        image_engine="gemini",
        gemini_api_key="test-key",
        gemini_base_url="http://127.0.0.1:9",
        job_max_attempts=1,
    )
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    project = await wait_for_project(client, project_id)
    assert project["status"] == "failed"
    assert project["error"].endswith("Your 5 credits were refunded.")
    job = await _job_for(client.app, project_id)
    assert job.status == "failed" and job.refunded
    # The same failure delivered again, twice concurrently: no second refund.
    results = await asyncio.gather(
        fail_job(client.app.state.db, job.id, "late duplicate"),
        fail_job(client.app.state.db, job.id, "late duplicate"),
    )
    assert results == [False, False]
    assert (await client.get("/api/user/credits")).json() == {"credits": 20}
    async with client.app.state.db.session() as session:
        refunds = await session.scalar(
            select(func.count()).where(LedgerEntry.reason == "refund", LedgerEntry.job_id == job.id)
        )
    assert refunds == 1


async def test_failure_after_success_changes_nothing(client):
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    project = await wait_for_project(client, project_id)
    assert project["status"] == "ready"
    job = await _job_for(client.app, project_id)
    assert await fail_job(client.app.state.db, job.id, "too late") is False
    again = (await client.get(f"/api/user/projects/{project_id}")).json()["project"]
    assert again["status"] == "ready" and again["error"] is None
    assert (await client.get("/api/user/credits")).json() == {"credits": 15}

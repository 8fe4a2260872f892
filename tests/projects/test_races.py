"""Requests racing on one project: the database decides, and money is never lost."""

from __future__ import annotations

import asyncio
import time
import uuid

from sqlalchemy import func, select

from tests.support import signup
from ugc.credits.models import LedgerEntry
from ugc.jobs.models import Job
from ugc.projects.models import Project

ROUNDS = 30


async def _idle_project(app, user_id: str) -> uuid.UUID:
    """A ready project with an image, made directly in the database.

    Its image file does not exist, so a video job for it fails at once and refunds:
    the race is about the request path, and failing fast keeps 30 rounds quick.
    """
    project_id = uuid.uuid4()
    async with app.state.db.session() as session:
        session.add(
            Project(
                id=project_id,
                user_id=uuid.UUID(user_id),
                name="Race",
                product_name="Race",
                aspect_ratio="9:16",
                user_image=f"uploads/{project_id}/person.jpg",
                product_image=f"uploads/{project_id}/product.png",
                generated_image=f"images/{project_id.hex}.png",
                status="ready",
                stage="done",
                progress=1.0,
            )
        )
        await session.commit()
    return project_id


async def _settled_jobs(app, within: float = 60) -> list[Job]:
    """Every job once none is queued or running."""
    deadline = time.monotonic() + within
    while True:
        async with app.state.db.session() as session:
            jobs = list((await session.scalars(select(Job))).all())
        if all(job.status in ("succeeded", "failed") for job in jobs):
            return jobs
        assert time.monotonic() < deadline, [(j.id, j.status) for j in jobs]
        await asyncio.sleep(0.1)


async def _ledger_count(app, project_id: uuid.UUID, reason: str) -> int:
    async with app.state.db.session() as session:
        total = await session.scalar(
            select(func.count()).where(
                LedgerEntry.project_id == project_id, LedgerEntry.reason == reason
            )
        )
    return int(total or 0)


async def _exists(app, project_id: uuid.UUID) -> bool:
    async with app.state.db.session() as session:
        return await session.get(Project, project_id) is not None


async def test_video_request_racing_delete_never_loses_credits(make_client):
    # Either the video is accepted (charged, and its job runs to an end: here it always
    # fails and refunds), or the delete wins and nothing is charged. Never both silently.
    client = await make_client(signup_credits=10 * ROUNDS)
    user = await signup(client)
    app = client.app
    accepted, deleted = [], []
    for _ in range(ROUNDS):
        project_id = await _idle_project(app, user["id"])
        video, delete = await asyncio.gather(
            client.post("/api/project/video", json={"projectId": str(project_id)}),
            client.delete(f"/api/project/{project_id}"),
        )
        outcome = (video.status_code, delete.status_code)
        assert outcome in ((202, 409), (202, 204), (404, 204), (409, 204)), outcome
        if delete.status_code == 409:
            assert delete.json()["error"] == "project_busy"
            assert await _exists(app, project_id)
        if video.status_code == 202:
            accepted.append(project_id)
            if delete.status_code == 204:
                deleted.append(project_id)
        else:
            assert not await _exists(app, project_id)
            assert await _ledger_count(app, project_id, "video") == 0
    jobs = await _settled_jobs(app)
    # A project deleted after its video was accepted went only once the job had ended.
    for project_id in accepted:
        assert await _ledger_count(app, project_id, "video") == 1
        assert await _ledger_count(app, project_id, "refund") == 1, project_id
    assert sorted(job.project_id for job in jobs) == sorted(set(accepted) - set(deleted))
    assert all(job.status == "failed" and job.refunded for job in jobs)
    assert (await client.get("/api/user/credits")).json() == {"credits": 10 * ROUNDS}


async def test_publish_racing_delete_is_a_404_never_a_500(client):
    user = await signup(client)
    app = client.app
    for _ in range(ROUNDS):
        project_id = await _idle_project(app, user["id"])
        publish, delete = await asyncio.gather(
            client.post(
                "/api/project/publish", json={"projectId": str(project_id), "isPublished": True}
            ),
            client.delete(f"/api/project/{project_id}"),
        )
        assert delete.status_code == 204, delete.text
        assert publish.status_code in (200, 404), publish.text
        if publish.status_code == 404:
            assert publish.json()["error"] == "not_found"
        assert not await _exists(app, project_id)
    assert (await client.get("/api/project/published")).json()["projects"] == []

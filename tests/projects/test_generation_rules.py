"""Credit, job and lifecycle rules at the service layer: no HTTP, no image engine.

A tiny engine implementing our own ImageEngine/VideoEngine protocols stands in for
the real ones, so each rule runs in milliseconds and cannot fail because of OpenCV.
The database is real (SQLite and PostgreSQL).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.conftest import assert_ledger_matches_balances
from tests.fakes.media import make_mp4, make_png
from ugc.auth.models import User
from ugc.credits.models import LedgerEntry, LedgerReason
from ugc.credits.service import add_credits
from ugc.db.engine import Database
from ugc.db.session import commit_session
from ugc.engines.base import (
    EngineRejected,
    EngineUnavailable,
    GeneratedImage,
    GeneratedVideo,
    ImageRequest,
    ProgressFn,
    VideoRequest,
)
from ugc.errors import InsufficientCredits, ProjectBusy
from ugc.jobs.context import JobContext
from ugc.jobs.failures import fail_job
from ugc.jobs.models import Job
from ugc.jobs.runner import run_job
from ugc.projects import lifecycle, service
from ugc.projects.models import Project, ProjectStatus, Stage
from ugc.projects.tasks import register_generation_jobs
from ugc.projects.uploads import CheckedImage
from ugc.storage.local import LocalStorage

# Real but tiny media: every result passes the product check and the provenance stamp.
TINY_PNG = make_png(48, 64)
TINY_MP4 = make_mp4(64, 112, seconds=0.5, fps=8, audio=False)


@dataclass
class TinyEngine:
    """Returns fixed tiny media, or raises the next queued error."""

    errors: list[Exception] = field(default_factory=list)
    calls: int = 0

    async def compose(self, req: ImageRequest, progress: ProgressFn) -> GeneratedImage:
        """A fake ad image."""
        return GeneratedImage(png=self._next(progress, TINY_PNG), scene=b"scene")

    async def animate(self, req: VideoRequest, progress: ProgressFn) -> GeneratedVideo:
        """A fake ad video."""
        return GeneratedVideo(mp4=self._next(progress, TINY_MP4))

    def _next(self, progress: ProgressFn, data: bytes) -> bytes:
        self.calls += 1
        progress("working", 0.5)
        if self.errors:
            raise self.errors.pop(0)
        return data


@dataclass
class RecordingQueue:
    """A JobQueue that only remembers what it was asked to run."""

    sent: list[uuid.UUID] = field(default_factory=list)

    async def enqueue(self, job_id: uuid.UUID, *, delay: float = 0) -> None:
        """Remember the job id."""
        self.sent.append(job_id)


@dataclass
class World:
    ctx: JobContext
    engine: TinyEngine
    queue: RecordingQueue
    user_id: uuid.UUID

    @property
    def db(self) -> Database:
        return self.ctx.db


PHOTO = CheckedImage(TINY_PNG, "png", "image/png", 48, 64)


@pytest.fixture
async def world(settings_factory, database_url, tmp_path) -> AsyncIterator[World]:
    settings = settings_factory(retry_base_seconds=0)
    register_generation_jobs()
    db = Database(settings.database_url)
    engine, queue = TinyEngine(), RecordingQueue()
    ctx = JobContext(
        settings=settings,
        db=db,
        storage=LocalStorage(tmp_path / "media", "secret"),
        queue=queue,
        _image_engine=engine,
        _video_engine=engine,
    )
    user_id = uuid.uuid4()
    async with db.session() as session:
        session.add(User(id=user_id, email=f"{user_id.hex}@example.com", credits=0))
        await session.flush()
        await add_credits(session, user_id, 20, LedgerReason.SIGNUP)
        await session.commit()
    yield World(ctx, engine, queue, user_id)
    await db.dispose()
    await assert_ledger_matches_balances(database_url)


async def _create(world: World) -> uuid.UUID:
    async with world.db.session() as session:
        project = await service.create_project(
            session,
            user=await session.get(User, world.user_id),  # type: ignore[arg-type]
            brief=service.check_brief(service.Brief(product_name="Aqua")),
            person=PHOTO,
            product=PHOTO,
            settings=world.ctx.settings,
            storage=world.ctx.storage,
            queue=world.queue,
        )
        await commit_session(session)
    return project.id


async def _video(world: World, project_id: uuid.UUID) -> None:
    async with world.db.session() as session:
        user = await session.get(User, world.user_id)
        assert user is not None
        await service.request_video(
            session,
            user=user,
            project_id=project_id,
            settings=world.ctx.settings,
            queue=world.queue,
        )
        await commit_session(session)


async def _run_sent(world: World) -> None:
    """Run every job sent so far, as a worker would (retries included)."""
    while world.queue.sent:
        await run_job(world.ctx, world.queue.sent.pop(0))


async def _state(world: World, project_id: uuid.UUID) -> tuple[Project, list[Job], int]:
    async with world.db.session() as session:
        project = await session.get(Project, project_id)
        jobs = list((await session.scalars(select(Job).where(Job.project_id == project_id))).all())
        user = await session.get(User, world.user_id)
    assert project is not None and user is not None
    return project, jobs, user.credits


async def _refunds(world: World, job_id: uuid.UUID) -> int:
    async with world.db.session() as session:
        count = await session.scalar(
            select(func.count()).where(LedgerEntry.job_id == job_id, LedgerEntry.reason == "refund")
        )
    return int(count or 0)


async def test_an_image_job_charges_five_and_ends_ready(world):
    ready: list[tuple[Any, ...]] = []

    async def remember(session, project, job, outcome):
        ready.append((project.status, job.kind, outcome.image))

    unregister = lifecycle.on_ready(remember)
    try:
        project_id = await _create(world)
        project, jobs, credits = await _state(world, project_id)
        assert (project.status, project.stage, credits) == (ProjectStatus.QUEUED, Stage.QUEUED, 15)
        await _run_sent(world)
    finally:
        unregister()
    project, jobs, credits = await _state(world, project_id)
    assert (project.status, project.stage, project.progress) == (
        ProjectStatus.READY,
        Stage.DONE,
        1.0,
    )
    assert project.generated_image and project.scene and project.error is None
    assert [j.status for j in jobs] == ["succeeded"] and credits == 15
    # The hook ran once, inside the finishing transaction (it saw the ready row).
    assert ready == [(ProjectStatus.READY, "image", project.generated_image)]


async def test_a_rejected_image_fails_at_once_and_refunds_once(world):
    failed: list[lifecycle.Failure] = []

    async def remember(session, project, job, failure):
        failed.append(failure)

    world.engine.errors.append(EngineRejected("The photo shows no person"))
    unregister = lifecycle.on_failed(remember)
    try:
        project_id = await _create(world)
        await _run_sent(world)
    finally:
        unregister()
    project, (job,), credits = await _state(world, project_id)
    assert (project.status, project.stage) == (ProjectStatus.FAILED, Stage.FAILED)
    assert project.error == (
        "The image could not be made: The photo shows no person. Your 5 credits were refunded."
    )
    assert (job.status, job.refunded, job.attempts, credits) == ("failed", True, 1, 20)
    assert [(f.reason, f.refunded) for f in failed] == [("The photo shows no person", True)]
    # Delivered again: nothing changes, no second refund.
    assert await fail_job(world.db, job.id, "late duplicate") is False
    assert await _refunds(world, job.id) == 1


async def test_transient_errors_retry_then_fail_with_one_refund(world):
    world.engine.errors.extend(EngineUnavailable("Busy") for _ in range(3))
    project_id = await _create(world)
    first = world.queue.sent[0]
    await run_job(world.ctx, world.queue.sent.pop(0))
    project, (job,), _ = await _state(world, project_id)
    assert (project.status, project.stage, job.status) == (
        ProjectStatus.QUEUED,
        Stage.RETRYING,
        "queued",
    )
    assert world.queue.sent == [first]
    await _run_sent(world)
    project, (job,), credits = await _state(world, project_id)
    assert (job.status, job.attempts, world.engine.calls) == ("failed", 3, 3)
    assert "tried 3 times" in (project.error or "") and credits == 20
    assert await _refunds(world, job.id) == 1


async def test_a_failed_video_refunds_and_keeps_the_image(world):
    project_id = await _create(world)
    await _run_sent(world)
    world.engine.errors.append(EngineRejected("Unsafe motion"))
    await _video(world, project_id)
    assert (await _state(world, project_id))[2] == 5
    await _run_sent(world)
    project, jobs, credits = await _state(world, project_id)
    assert project.status == ProjectStatus.READY and project.generated_image
    assert project.generated_video is None and credits == 15
    assert (project.error or "").startswith("The video could not be made: Unsafe motion.")
    assert sorted(j.kind for j in jobs) == ["image", "video"]


async def test_video_without_credits_writes_nothing(world):
    project_id = await _create(world)
    await _run_sent(world)
    await _video(world, project_id)
    await _run_sent(world)
    second = await _create(world)  # 20 - 5 - 10 - 5 = 0 left
    await _run_sent(world)
    with pytest.raises(InsufficientCredits):
        await _video(world, second)
    project, jobs, credits = await _state(world, second)
    assert (project.status, len(jobs), credits) == (ProjectStatus.READY, 1, 0)


async def test_a_project_with_an_unfinished_job_is_not_deleted(world):
    project_id = await _create(world)
    async with world.db.session() as session:
        user = await session.get(User, world.user_id)
        with pytest.raises(ProjectBusy):
            await service.delete_project(
                session, user=user, project_id=project_id, storage=world.ctx.storage
            )
        await session.rollback()
    await _run_sent(world)
    async with world.db.session() as session:
        user = await session.get(User, world.user_id)
        await service.delete_project(
            session, user=user, project_id=project_id, storage=world.ctx.storage
        )
        await commit_session(session)
    async with world.db.session() as session:
        assert await session.get(Project, project_id) is None


async def test_a_ready_hook_writes_in_the_finishing_transaction(world):
    async def note(session, project, job, outcome):
        # Anything a hook writes commits with the ready status, or not at all.
        await add_credits(session, project.user_id, 1, LedgerReason.GRANT, project_id=project.id)

    unregister = lifecycle.on_ready(note)
    try:
        project_id = await _create(world)
        await _run_sent(world)
    finally:
        unregister()
    project, _, credits = await _state(world, project_id)
    assert project.status == ProjectStatus.READY and credits == 16


async def test_a_failing_ready_hook_fails_the_job_and_refunds(world):
    async def broken(session, project, job, outcome):
        await add_credits(session, project.user_id, 1, LedgerReason.GRANT, project_id=project.id)
        raise RuntimeError("hook broke")

    unregister = lifecycle.on_ready(broken)
    try:
        project_id = await _create(world)
        await _run_sent(world)
    finally:
        unregister()
    project, (job,), credits = await _state(world, project_id)
    # The hook's write was rolled back with the ready status; the user got the refund.
    assert (project.status, project.generated_image, job.status) == (
        ProjectStatus.FAILED,
        None,
        "failed",
    )
    assert credits == 20 and job.refunded
    assert [p for p in (world.ctx.storage.root / "images").glob("*")] == []


async def test_a_ready_hook_asking_for_a_retry_runs_the_engine_again(world):
    verdicts = [EngineUnavailable("The product changed; trying again")]

    async def fidelity(session, project, job, outcome):
        if verdicts:
            raise verdicts.pop()

    unregister = lifecycle.on_ready(fidelity)
    try:
        project_id = await _create(world)
        await _run_sent(world)
    finally:
        unregister()
    project, (job,), credits = await _state(world, project_id)
    assert (project.status, job.status, job.attempts, world.engine.calls) == (
        ProjectStatus.READY,
        "succeeded",
        2,
        2,
    )
    assert credits == 15


async def _as_if_an_attempt_died_after_storing(world: World, project_id: uuid.UUID, kind: str):
    """The job's attempt 1 was claimed, stored its files and was SIGKILLed (no clean-up)."""
    async with world.db.session() as session:
        job = await session.scalar(
            select(Job).where(Job.project_id == project_id, Job.kind == kind)
        )
        assert job is not None
        job.attempts = 1
        await session.commit()
    name = f"{job.id.hex}-1"
    left = (
        [f"images/{name}.png", f"images/{name}.scene"]
        if kind == "image"
        else [f"videos/{name}.mp4"]
    )
    for key in left:
        await world.ctx.storage.put(key, b"from the attempt that died", "application/octet-stream")
    return job.id, left


def _stored(world: World) -> set[str]:
    root = world.ctx.storage.root  # type: ignore[attr-defined]
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


async def test_files_of_an_attempt_that_died_are_removed_by_the_next(world):
    project_id = await _create(world)
    job_id, left = await _as_if_an_attempt_died_after_storing(world, project_id, "image")
    await _run_sent(world)
    project, _, _ = await _state(world, project_id)
    assert project.generated_image == f"images/{job_id.hex}-2.png"
    assert not _stored(world) & set(left)
    assert {project.generated_image, project.scene} <= _stored(world)

    await _video(world, project_id)
    job_id, left = await _as_if_an_attempt_died_after_storing(world, project_id, "video")
    await _run_sent(world)
    project, _, credits = await _state(world, project_id)
    assert project.generated_video == f"videos/{job_id.hex}-2.mp4"
    # Exactly the project's files: its uploads, its image and scene, its video.
    assert _stored(world) == set(project.stored_keys())
    assert credits == 5

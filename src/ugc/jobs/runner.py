"""Runs one job: claim it under a lease, run its engine, store the result or fail it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import timedelta

from ugc.db.base import utcnow
from ugc.engines.base import EngineError, EngineUnavailable
from ugc.jobs.context import JobContext, JobDiscarded, ProgressTracker
from ugc.jobs.failures import GENERIC_FAILURE, fail_job
from ugc.jobs.metrics import JOB_DURATION, JOBS_TOTAL
from ugc.jobs.models import Job
from ugc.jobs.repository import JobRepository
from ugc.projects.models import Project, ProjectStatus
from ugc.projects.repository import ProjectRepository
from ugc.projects.tasks import Outcome, run_generation

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5


async def _claim(ctx: JobContext, job_id: uuid.UUID) -> tuple[Job, Project] | None:
    async with ctx.db.session() as session:
        job = await JobRepository(session).claim(job_id, ctx.settings.job_lease_seconds)
        project = await ProjectRepository(session).get(job.project_id) if job else None
        if job is None or project is None:
            await session.rollback()
            return None
        await ProjectRepository(session).set_fields(
            project.id, status=ProjectStatus.GENERATING.value, stage="starting", progress=0.0
        )
        await session.commit()
        return job, project


async def _watch(ctx: JobContext, job: Job, tracker: ProgressTracker) -> None:
    """Write progress to the project and keep the lease alive while the engine works."""
    renew_every = max(1.0, ctx.settings.job_lease_seconds / 3)
    last_renew = time.monotonic()
    written = 0
    while True:
        await asyncio.sleep(PROGRESS_INTERVAL)
        version, stage, fraction = tracker.snapshot()
        renew = time.monotonic() - last_renew >= renew_every
        if version == written and not renew:
            continue
        async with ctx.db.session() as session:
            if version != written:
                await ProjectRepository(session).set_fields(
                    job.project_id, stage=stage, progress=fraction
                )
            if renew:
                await JobRepository(session).renew_lease(job.id, ctx.settings.job_lease_seconds)
            await session.commit()
        written = version
        if renew:
            last_renew = time.monotonic()


async def _finish(ctx: JobContext, job: Job, outcome: Outcome) -> bool:
    async with ctx.db.session() as session:
        if not await JobRepository(session).mark_succeeded(job.id):
            await session.rollback()
            # Reclaimed, failed, or its project or account deleted meanwhile: our files
            # are orphans.
            for key in outcome.stored_keys:
                await ctx.storage.delete(key)
            return False
        await ProjectRepository(session).set_fields(
            job.project_id,
            status=ProjectStatus.READY.value,
            stage="done",
            progress=1.0,
            error=None,
            **outcome.fields,
        )
        await session.commit()
    return True


async def _retry_or_fail(ctx: JobContext, job: Job, exc: EngineUnavailable) -> str:
    if job.attempts >= job.max_attempts:
        reason = f"{exc.message.rstrip('.')} (tried {job.attempts} times)."
        await fail_job(ctx.db, job.id, reason)
        return "failed"
    delay = ctx.settings.retry_base_seconds * 2 ** (job.attempts - 1)
    delay = max(delay, exc.retry_after or 0.0)
    async with ctx.db.session() as session:
        requeued = await JobRepository(session).requeue(
            job.id, not_before=utcnow() + timedelta(seconds=delay), error=exc.message
        )
        await ProjectRepository(session).set_fields(
            job.project_id, status=ProjectStatus.QUEUED.value, stage="retrying soon"
        )
        await session.commit()
    if requeued:
        await ctx.queue.enqueue(job.id, delay=delay)
    log.info("job will retry", extra={"job_id": str(job.id), "delay_s": delay})
    return "retried"


async def _crashed(ctx: JobContext, job: Job, ids: dict[str, str]) -> str:
    """Fail a crashed job, unless its project was deleted under it (its inputs vanished)."""
    try:
        await ctx.ensure_wanted(job.id)
    except JobDiscarded:
        return "discarded"
    log.exception("job crashed", extra=ids)
    await fail_job(ctx.db, job.id, GENERIC_FAILURE)
    return "failed"


async def run_job(ctx: JobContext, job_id: uuid.UUID) -> None:
    """Run the job if it is due and unclaimed; every outcome is written to the database."""
    claimed = await _claim(ctx, job_id)
    if claimed is None:
        log.debug("job not claimable", extra={"job_id": str(job_id)})
        return
    job, project = claimed
    ids = {"job_id": str(job.id), "project_id": str(project.id), "kind": job.kind}
    log.info("job started", extra={**ids, "attempt": job.attempts})
    tracker = ProgressTracker()
    watcher = asyncio.create_task(_watch(ctx, job, tracker))
    started = time.monotonic()
    try:
        outcome = await run_generation(ctx, job, project, tracker)
    except JobDiscarded:
        result = "discarded"
    except EngineUnavailable as exc:
        result = await _retry_or_fail(ctx, job, exc)
    except EngineError as exc:  # EngineRejected and any other engine-worded failure
        await fail_job(ctx.db, job.id, exc.message)
        result = "rejected"
    except Exception:
        result = await _crashed(ctx, job, ids)
    else:
        result = "succeeded" if await _finish(ctx, job, outcome) else "superseded"
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    JOBS_TOTAL.labels(kind=job.kind, outcome=result).inc()
    JOB_DURATION.labels(kind=job.kind).observe(time.monotonic() - started)
    log.info("job ended", extra={**ids, "outcome": result})

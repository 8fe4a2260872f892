"""Runs one job: claim it under a lease, run its engine, store the result or fail it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from datetime import timedelta

from ugc.db.base import utcnow
from ugc.db.session import commit_session
from ugc.engines.base import EngineError, EngineUnavailable
from ugc.jobs.context import JobContext, JobDiscarded, ProgressTracker
from ugc.jobs.failures import GENERIC_FAILURE, fail_job
from ugc.jobs.handlers import handler_for
from ugc.jobs.metrics import JOB_DURATION, JOBS_TOTAL
from ugc.jobs.models import Job
from ugc.jobs.repository import JobRepository

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5


# A job held back because its owner already has their share running is asked for again
# this soon (its message was consumed; the reconciler is only the slow safety net).
HELD_BACK_RETRY_SECONDS = 1.0


async def _claim(ctx: JobContext, job_id: uuid.UUID) -> Job | None:
    async with ctx.db.session() as session:
        jobs = JobRepository(session)
        job = await jobs.claim(job_id, ctx.settings.job_lease_seconds, ctx.settings.jobs_per_user)
        if job is None:
            held_back = await jobs.is_waiting(job_id)
            await session.rollback()
            if held_back:
                await ctx.queue.enqueue(job_id, delay=HELD_BACK_RETRY_SECONDS)
            return None
        if not await handler_for(job.kind).started(session, job):
            await session.rollback()
            return None
        await commit_session(session)
        return job


async def _renew(ctx: JobContext, job: Job) -> None:
    async with ctx.db.session() as session:
        await JobRepository(session).renew_lease(job.id, ctx.settings.job_lease_seconds)
        await session.commit()


async def _write_progress(ctx: JobContext, job: Job, stage: str, fraction: float) -> None:
    async with ctx.db.session() as session:
        await handler_for(job.kind).report_progress(session, job, stage, fraction)
        await session.commit()


async def _watch(ctx: JobContext, job: Job, tracker: ProgressTracker) -> None:
    """Keep the lease alive and write progress to the project while the engine works.

    Each write is its own transaction and a failed one is logged and retried on the next
    tick: a progress write refused with "database is locked" must never stop the renewal,
    or another worker reclaims the job and runs (and pays for) it a second time.
    """
    renew_every = max(1.0, ctx.settings.job_lease_seconds / 3)
    last_renew = time.monotonic()
    written = 0
    ids = {"job_id": str(job.id), "project_id": str(job.project_id)}
    while True:
        await asyncio.sleep(PROGRESS_INTERVAL)
        if time.monotonic() - last_renew >= renew_every:
            try:
                await _renew(ctx, job)
                last_renew = time.monotonic()
            except Exception:
                log.warning("lease renewal failed; retrying", extra=ids, exc_info=True)
        version, stage, fraction = tracker.snapshot()
        if version != written:
            try:
                await _write_progress(ctx, job, stage, fraction)
                written = version
            except Exception:
                log.warning("progress write failed; carrying on", extra=ids, exc_info=True)


async def _finish(ctx: JobContext, job: Job, result: object) -> bool:
    """Mark the job succeeded and let its handler record the result, in one transaction.

    The handler's hooks may raise (a check that wants a retry raises EngineUnavailable):
    then nothing is recorded, the result is discarded, and the error takes the usual path.
    """
    handler = handler_for(job.kind)
    try:
        async with ctx.db.session() as session:
            if not await JobRepository(session).mark_succeeded(job.id):
                await session.rollback()
                # Reclaimed or failed meanwhile: what this attempt made is an orphan.
                await handler.discard(ctx, result)
                return False
            await handler.succeeded(session, job, result)
            await commit_session(session)
    except Exception:
        await handler.discard(ctx, result)
        raise
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
        if requeued:
            await handler_for(job.kind).retrying(session, job)
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
    job = await _claim(ctx, job_id)
    if job is None:
        log.debug("job not claimable", extra={"job_id": str(job_id)})
        return
    ids = {"job_id": str(job.id), "project_id": str(job.project_id), "kind": job.kind}
    log.info("job started", extra={**ids, "attempt": job.attempts})
    tracker = ProgressTracker()
    watcher = asyncio.create_task(_watch(ctx, job, tracker))
    started = time.monotonic()
    try:
        outcome = await handler_for(job.kind).run(ctx, job, tracker)
        # Inside the try: a ready hook that raises (a check asking for a retry) takes
        # the same paths as an engine error.
        result = "succeeded" if await _finish(ctx, job, outcome) else "superseded"
    except JobDiscarded:
        result = "discarded"
    except EngineUnavailable as exc:
        result = await _retry_or_fail(ctx, job, exc)
    except EngineError as exc:  # EngineRejected and any other engine-worded failure
        await fail_job(ctx.db, job.id, exc.message)
        result = "rejected"
    except Exception:
        result = await _crashed(ctx, job, ids)
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
    JOBS_TOTAL.labels(kind=job.kind, outcome=result).inc()
    JOB_DURATION.labels(kind=job.kind).observe(time.monotonic() - started)
    log.info("job ended", extra={**ids, "outcome": result})

"""Makes the queue agree with the database after crashes, restarts and lost messages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from ugc.db.base import utcnow
from ugc.db.engine import Database
from ugc.jobs.context import JobQueue
from ugc.jobs.failures import fail_job
from ugc.jobs.handlers import handler_for
from ugc.jobs.repository import JobRepository

log = logging.getLogger(__name__)

INTERRUPTED = "The generation was interrupted too many times"


async def _reclaim(db: Database, queue: JobQueue) -> int:
    """Requeue running jobs whose worker stopped renewing their lease; fail those out of attempts.

    Only an expired lease says a worker is gone: another process (a sibling web process, or
    a server started on the same database) may be running any job this one did not start.
    """
    async with db.session() as session:
        jobs = JobRepository(session)
        orphans = await jobs.expired_leases()
        requeued = []
        exhausted = []
        for job in orphans:
            if job.attempts >= job.max_attempts:
                exhausted.append(job.id)
            elif await jobs.requeue(job.id, not_before=None, error="worker stopped"):
                await handler_for(job.kind).requeued(session, job)
                requeued.append(job.id)
        await session.commit()
    for job_id in exhausted:
        await fail_job(db, job_id, INTERRUPTED)
    for job_id in requeued:
        await queue.enqueue(job_id)
    return len(requeued) + len(exhausted)


async def _resend(db: Database, queue: JobQueue, stale_after: float | None) -> int:
    """Re-send due queued jobs whose message may have been lost."""
    older_than = utcnow() - timedelta(seconds=stale_after) if stale_after is not None else None
    async with db.session() as session:
        jobs = JobRepository(session)
        stale = [job.id for job in await jobs.stale_queued(older_than)]
        await jobs.touch(stale)
        await session.commit()
    for job_id in stale:
        await queue.enqueue(job_id)
    return len(stale)


async def reconcile(db: Database, queue: JobQueue, *, startup: bool, stale_after: float) -> None:
    """One pass: reclaim dead workers' jobs, re-send forgotten queued jobs.

    At start-up every queued job is re-sent: an embedded process's messages died with it.
    A job another process also holds a message for is still run once (claims are
    conditional).
    """
    reclaimed = await _reclaim(db, queue)
    resent = await _resend(db, queue, None if startup else stale_after)
    if reclaimed or resent:
        log.info("reconciled jobs", extra={"reclaimed": reclaimed, "resent": resent})


async def reconcile_forever(
    db: Database, queue: JobQueue, *, interval: float, stop: asyncio.Event
) -> None:
    """Reconcile at start-up, then every `interval` seconds, until `stop` is set.

    Stopping waits for the pass in progress: cancelling one mid-transaction could leave
    a SQLite write lock held by a connection nobody closes.
    """
    startup = True
    while not stop.is_set():
        try:
            await reconcile(db, queue, startup=startup, stale_after=max(60.0, 4 * interval))
            startup = False
        except Exception:
            log.exception("reconciler pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)

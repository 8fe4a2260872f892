"""Rows kept for a while only, removed once their time is up.

Idempotency keys answer a repeated request for `UGC_IDEMPOTENCY_RETENTION_HOURS`; providers'
webhook notices only need to outlive the provider's retries (Google retries for a day). Both
tables would otherwise grow with every request and every video. Runs wherever the job
reconciler runs (each web process and each worker); passes by several processes at once
delete the same rows at most once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

from ugc.db.base import utcnow
from ugc.db.engine import Database
from ugc.idempotency.repository import IdempotencyRepository
from ugc.jobs.repository import NoticeRepository

log = logging.getLogger(__name__)

# Twice the longest retry window of a provider we take webhooks from.
NOTICE_RETENTION = timedelta(days=2)


async def sweep(db: Database) -> dict[str, int]:
    """One pass: delete what has expired; how many rows of each kind went."""
    now = utcnow()
    async with db.session() as session, session.begin():
        keys = await IdempotencyRepository(session).purge_expired(now)
        notices = await NoticeRepository(session).purge_before(now - NOTICE_RETENTION)
    return {"idempotency_keys": keys, "operation_notices": notices}


async def sweep_forever(db: Database, *, interval: float, stop: asyncio.Event) -> None:
    """Sweep every `interval` seconds until `stop` is set.

    The first pass waits a whole interval too: nothing here is urgent, and a process
    starting up has better uses for its connections.
    """
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
        if stop.is_set():
            return
        try:
            removed = await sweep(db)
            if any(removed.values()):
                log.info("removed expired rows", extra=removed)
        except Exception:
            log.exception("housekeeping pass failed")

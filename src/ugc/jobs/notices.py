"""A provider's word about a job's running operation (its webhooks), and the wait that hears it.

The webhook may reach any web process while the job waits in another (a worker on another
machine), so the word is a row in the database that the waiting job looks for every few
seconds (`UGC_NOTICE_CHECK_SECONDS`). A job waiting in the very process that took the
webhook is also woken at once, through that process's NoticeBoard.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Iterator

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.db.engine import Database
from ugc.db.session import after_commit
from ugc.jobs.repository import JobRepository, NoticeRepository

log = logging.getLogger(__name__)


class NoticeBoard:
    """Wakes this process's jobs waiting on an operation; safe from any thread or loop.

    Jobs run on worker threads' event loops, webhooks are answered on the server's loop.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    @contextlib.contextmanager
    def listen(self, operation_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever word about `operation_id` is announced, while inside."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiting.setdefault(operation_id, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                waiting = self._waiting.get(operation_id, set())
                waiting.discard(entry)
                if not waiting:
                    self._waiting.pop(operation_id, None)

    def announce(self, operation_id: str) -> None:
        """Wake every job of this process listening for `operation_id`."""
        with self._lock:
            entries = list(self._waiting.get(operation_id, ()))
        for loop, event in entries:
            # A worker thread stopping meanwhile has closed its loop: nobody to wake there.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)


class NoticeWaiter:
    """Waits for word about one job's operation; each notice is reported once."""

    def __init__(self, db: Database, board: NoticeBoard, check_seconds: float) -> None:
        self._db = db
        self._board = board
        self._check_seconds = check_seconds
        # Notices already reported. From zero: word kept while no attempt was waiting (a
        # worker crashed) is news to the attempt that resumes.
        self._seen = 0

    async def __call__(self, operation_id: str, seconds: float) -> bool:
        """True as soon as a notice not reported before is found; False after `seconds`."""
        deadline = time.monotonic() + seconds
        with self._board.listen(operation_id) as woken:
            while True:
                woken.clear()
                count = await self._count(operation_id)
                if count > self._seen:
                    self._seen = count
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), min(self._check_seconds, remaining))

    async def _count(self, operation_id: str) -> int:
        try:
            async with self._db.session() as session:
                count = await NoticeRepository(session).count_for(operation_id)
                await session.rollback()
        except Exception:
            # The status checks go on regardless: a lost look only delays the video.
            log.warning(
                "could not look for notices", extra={"operation": operation_id}, exc_info=True
            )
            return self._seen
        return count


async def accept_notice(
    session: AsyncSession, board: NoticeBoard, message_id: str, operation_id: str, event: str
) -> str:
    """Keep a provider's notice for the job waiting on the operation and wake it, once.

    Returns what happened: "accepted", "replayed" (this delivery was kept before) or
    "unknown" (no unfinished job waits on that operation: nothing is kept).
    """
    if not await JobRepository(session).awaits_operation(operation_id):
        return "unknown"
    if not await NoticeRepository(session).record_once(message_id, operation_id, event):
        return "replayed"

    async def wake() -> None:
        board.announce(operation_id)

    # Only once the row is durable: the woken job reads it to learn there is news.
    after_commit(session, wake)
    return "accepted"

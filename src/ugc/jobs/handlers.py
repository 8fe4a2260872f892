"""Job kinds and their handlers: the job system runs them without knowing what they make.

A domain registers one handler per job kind (the projects domain: "image" and
"video", see ugc.projects.tasks). The runner, the reconciler and the failure path call
its hooks inside their own transactions; the handler writes its domain's rows there
(lifecycle transitions, refunds), and the job system commits.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.jobs.context import JobContext, ProgressTracker
from ugc.jobs.models import Job


class JobHandler(Protocol):
    """What a job kind does, and what happens around it."""

    async def started(self, session: AsyncSession, job: Job) -> bool:
        """The job was claimed; False when its subject no longer exists (nothing to run)."""
        ...

    async def run(self, ctx: JobContext, job: Job, progress: ProgressTracker) -> object:
        """Do the work (outside any transaction); the result goes to `succeeded`."""
        ...

    async def report_progress(
        self, session: AsyncSession, job: Job, step: str, fraction: float
    ) -> None:
        """Show the latest progress."""
        ...

    async def succeeded(self, session: AsyncSession, job: Job, result: object) -> None:
        """Record the result, in the transaction that marks the job succeeded."""
        ...

    async def discard(self, ctx: JobContext, result: object) -> None:
        """Throw away a result nobody will record (the job was reclaimed meanwhile)."""
        ...

    async def retrying(self, session: AsyncSession, job: Job) -> None:
        """A transient error: the job waits to be retried."""
        ...

    async def requeued(self, session: AsyncSession, job: Job) -> None:
        """The job's worker stopped; it is queued to resume elsewhere."""
        ...

    async def failed(self, session: AsyncSession, job: Job, reason: str, refund: bool) -> None:
        """The job failed for good; when `refund` is True this caller, once ever, refunds."""
        ...


_handlers: dict[str, JobHandler] = {}


def register_handler(kind: str, handler: JobHandler) -> None:
    """Make `handler` run jobs of `kind` (registering again replaces it)."""
    _handlers[kind] = handler


def handler_for(kind: str) -> JobHandler:
    """The handler of a job kind; LookupError when none is registered."""
    try:
        return _handlers[kind]
    except KeyError:
        raise LookupError(f"no handler registered for job kind {kind!r}") from None

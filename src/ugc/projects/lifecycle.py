"""A project's generation lifecycle: the one writer of status, stage, step, progress, error.

    queued --mark_generating--> generating --mark_ready--> ready
       ^                            |  \\--mark_failed--> failed (or ready, keeping its image)
       +--mark_retrying / mark_resuming (transient error, lost worker)

Every transition is one conditional UPDATE in the caller's transaction; nothing else in
the code base assigns these columns (tests/test_architecture.py checks).

Hooks: `on_ready` and `on_failed` register async callbacks that run INSIDE the finishing
transaction, after the project row is updated and before the commit. A hook's writes
(a webhook delivery to send, a fidelity verdict, an email to queue) are therefore
committed atomically with the status, or not at all: a crash between "ready" and "tell
someone" cannot lose the telling. Hooks must not do slow network I/O inline; for work
that must only happen once the transaction is durable, a hook registers it with
`ugc.db.session.after_commit(session, action)`, which the job runner honours. A hook
that raises fails the finish (the job is retried or failed like any other error).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ugc.db.base import utcnow
from ugc.jobs.models import Job
from ugc.projects.models import ACTIVE_STATUSES, JobKind, Project, ProjectStatus, Stage

__all__ = [
    "FailedHook",
    "Failure",
    "Outcome",
    "ProjectStatus",
    "ReadyHook",
    "Stage",
    "claim_for_video",
    "claim_free_retry",
    "failure_message",
    "mark_failed",
    "mark_generating",
    "mark_ready",
    "mark_resuming",
    "mark_retrying",
    "on_failed",
    "on_ready",
    "report_progress",
]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a finished generation made: storage keys, already written, and what describes them.

    `described` holds the result's own columns (its product-fidelity verdict, an owed free
    retry), stored in the same UPDATE as the media.
    """

    image: str | None = None
    scene: str | None = None
    video: str | None = None
    described: Mapping[str, object] = field(default_factory=dict)

    @property
    def stored_keys(self) -> list[str]:
        """Every key this outcome wrote (to delete if the result is discarded)."""
        return [key for key in (self.image, self.scene, self.video) if key]


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a generation ended without a result, as the user is told."""

    reason: str
    message: str
    refunded: bool


ReadyHook = Callable[[AsyncSession, Project, Job, Outcome], Awaitable[None]]
FailedHook = Callable[[AsyncSession, Project, Job, Failure], Awaitable[None]]
_ready_hooks: list[ReadyHook] = []
_failed_hooks: list[FailedHook] = []


def on_ready(hook: ReadyHook) -> Callable[[], None]:
    """Run `hook` in every finishing transaction of a ready project; returns an unregister."""
    _ready_hooks.append(hook)
    return lambda: _ready_hooks.remove(hook)


def on_failed(hook: FailedHook) -> Callable[[], None]:
    """Run `hook` in every transaction that fails a generation; returns an unregister."""
    _failed_hooks.append(hook)
    return lambda: _failed_hooks.remove(hook)


async def _set(
    session: AsyncSession, project_id: uuid.UUID, *where: object, **values: object
) -> bool:
    result = await session.execute(
        update(Project)
        .where(Project.id == project_id, *where)  # type: ignore[arg-type]
        .values(updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def _fresh(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    return await session.get(Project, project_id, populate_existing=True)


# A generation queued anew: nothing of an earlier run's step, progress or error shows.
_QUEUED_AFRESH: dict[str, object] = {
    "status": ProjectStatus.QUEUED,
    "stage": Stage.QUEUED,
    "step": None,
    "progress": 0.0,
    "error": None,
}


async def claim_for_video(session: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Queue an idle project that has an image and no video; False otherwise."""
    return await _set(
        session,
        project_id,
        Project.user_id == user_id,
        Project.status.not_in(ACTIVE_STATUSES),
        Project.generated_image.is_not(None),
        Project.generated_video.is_(None),
        **_QUEUED_AFRESH,
    )


async def claim_free_retry(
    session: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    """Take an idle project's owed free retry (once) and queue it; False otherwise."""
    return await _set(
        session,
        project_id,
        Project.user_id == user_id,
        Project.free_retry.is_(True),
        Project.status.not_in(ACTIVE_STATUSES),
        Project.generated_video.is_(None),
        free_retry=False,
        **_QUEUED_AFRESH,
    )


async def mark_generating(session: AsyncSession, project_id: uuid.UUID) -> Project | None:
    """A worker started on the project; the fresh project, or None if it is gone."""
    await _set(
        session,
        project_id,
        status=ProjectStatus.GENERATING,
        stage=Stage.STARTING,
        step=None,
        progress=0.0,
    )
    return await _fresh(session, project_id)


async def report_progress(
    session: AsyncSession, project_id: uuid.UUID, step: str, fraction: float
) -> None:
    """The engine's latest step (its own words) and fraction, while generating."""
    await _set(
        session,
        project_id,
        Project.status == ProjectStatus.GENERATING,
        stage=Stage.GENERATING,
        step=step[:64],
        progress=min(1.0, max(0.0, fraction)),
    )


async def mark_retrying(session: AsyncSession, project_id: uuid.UUID) -> None:
    """A transient engine error: queued again, to retry after a pause."""
    await _set(session, project_id, status=ProjectStatus.QUEUED, stage=Stage.RETRYING, step=None)


async def mark_resuming(session: AsyncSession, project_id: uuid.UUID) -> None:
    """Its worker stopped: queued again, to resume on another."""
    await _set(session, project_id, status=ProjectStatus.QUEUED, stage=Stage.RESUMING, step=None)


async def mark_ready(
    session: AsyncSession, project_id: uuid.UUID, job: Job, outcome: Outcome
) -> Project | None:
    """Store the outcome's media on the project, mark it ready, run the ready hooks."""
    media: dict[str, object] = {}
    if outcome.image is not None:
        media.update(generated_image=outcome.image, scene=outcome.scene)
    if outcome.video is not None:
        media.update(generated_video=outcome.video)
    await _set(
        session,
        project_id,
        status=ProjectStatus.READY,
        stage=Stage.DONE,
        step=None,
        progress=1.0,
        error=None,
        **media,
        **outcome.described,
    )
    project = await _fresh(session, project_id)
    if project is not None:
        for hook in list(_ready_hooks):
            await hook(session, project, job, outcome)
    return project


def failure_message(kind: str, reason: str, cost: int, refunded: bool) -> str:
    """The sentence shown on the project: what failed, why, and the refund."""
    what = "The video could not be made" if kind == JobKind.VIDEO else "The image could not be made"
    reason = reason.strip()
    if reason and not reason.endswith((".", "!", "?")):
        reason += "."
    refund = f" Your {cost} credits were refunded." if cost and refunded else ""
    return f"{what}: {reason}{refund}"


async def mark_failed(
    session: AsyncSession, project_id: uuid.UUID, job: Job, reason: str, refunded: bool
) -> Project | None:
    """End the generation with a clear message; run the failed hooks.

    A project that already has an image (a failed video) stays ready and usable.
    """
    failure = Failure(reason, failure_message(job.kind, reason, job.cost, refunded), refunded)
    project = await _fresh(session, project_id)
    if project is None:
        return None
    status = ProjectStatus.READY if project.generated_image else ProjectStatus.FAILED
    await _set(
        session,
        project_id,
        status=status,
        stage=Stage.FAILED,
        step=None,
        progress=0.0,
        error=failure.message,
    )
    project = await _fresh(session, project_id)
    if project is not None:
        for hook in list(_failed_hooks):
            await hook(session, project, job, failure)
    return project

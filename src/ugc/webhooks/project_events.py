"""Completion events for projects: the lifecycle's ready/failed hooks write them to the outbox.

They run inside the transaction that finishes the job, so an event exists exactly when the
finish was committed; after the commit, the deliverer of the process (if it runs one) is
woken so the event leaves at once instead of at its next poll.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.db.session import after_commit
from ugc.jobs.models import Job
from ugc.projects import lifecycle
from ugc.projects.models import JobKind, Project
from ugc.projects.presenter import ProjectPresenter
from ugc.webhooks.models import EventType
from ugc.webhooks.service import emit_event

Wake = Callable[[], object]


def install_project_events(presenter: ProjectPresenter, wake: Wake) -> Callable[[], None]:
    """Register the hooks; returns the function that unregisters them."""

    async def project_body(project: Project) -> dict[str, Any]:
        shown = await presenter.owned(project)
        return shown.model_dump(mode="json", by_alias=True)

    async def ready(
        session: AsyncSession, project: Project, job: Job, outcome: lifecycle.Outcome
    ) -> None:
        kind = EventType.VIDEO_SUCCEEDED if job.kind == JobKind.VIDEO else EventType.IMAGE_SUCCEEDED
        data = {"project": await project_body(project)}
        if await emit_event(session, project.user_id, kind, data, occurrence=str(job.id)):
            _wake_after_commit(session, wake)

    async def failed(
        session: AsyncSession, project: Project, job: Job, failure: lifecycle.Failure
    ) -> None:
        data = {
            "project": await project_body(project),
            "job": {"kind": job.kind, "reason": failure.message},
            "refunded": failure.refunded,
            "refundedCredits": job.cost if failure.refunded else 0,
        }
        emitted = await emit_event(
            session, project.user_id, EventType.FAILED, data, occurrence=str(job.id)
        )
        if emitted:
            _wake_after_commit(session, wake)

    unregister_ready = lifecycle.on_ready(ready)
    unregister_failed = lifecycle.on_failed(failed)

    def unregister() -> None:
        unregister_ready()
        unregister_failed()

    return unregister


def _wake_after_commit(session: AsyncSession, wake: Wake) -> None:
    async def wake_deliverer() -> None:
        wake()

    after_commit(session, wake_deliverer)

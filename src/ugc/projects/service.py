"""Project rules: create with a paid image job, request a video, publish, delete."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.config import Settings
from ugc.credits.models import LedgerReason
from ugc.credits.service import insufficient_credits_message, reserve_credits, show_balance
from ugc.db.base import utcnow
from ugc.db.session import after_commit, on_rollback
from ugc.engines.base import ASPECT_RATIOS
from ugc.errors import (
    ImageRequired,
    InsufficientCredits,
    InvalidInput,
    NotFound,
    ProjectBusy,
    VideoExists,
)
from ugc.jobs.context import JobQueue
from ugc.jobs.models import Job
from ugc.jobs.repository import JobRepository
from ugc.pagination import decode_cursor, split_page
from ugc.projects import lifecycle
from ugc.projects.models import ACTIVE_STATUSES, JobKind, Project
from ugc.projects.repository import ProjectRepository
from ugc.projects.uploads import CheckedImage, check_image
from ugc.storage.base import Storage
from ugc.text import check_text

MAX_NAME = 120
MAX_TEXT = 2000


@dataclass(frozen=True, slots=True)
class Brief:
    """The text half of a create request, as submitted."""

    product_name: str
    name: str = ""
    product_description: str = ""
    user_prompt: str = ""
    aspect_ratio: str = "9:16"


def check_brief(brief: Brief) -> Brief:
    """Trim and validate the brief; InvalidInput with a sentence per problem."""
    check_text("product name", brief.product_name)
    check_text("project name", brief.name)
    check_text("product description", brief.product_description, multiline=True)
    check_text("prompt", brief.user_prompt, multiline=True)
    check_text("aspect ratio", brief.aspect_ratio)
    product_name = brief.product_name.strip()
    if not product_name:
        raise InvalidInput("Give the product a name (productName).")
    if len(product_name) > MAX_NAME:
        raise InvalidInput(f"The product name can be at most {MAX_NAME} characters.")
    name = brief.name.strip() or product_name
    if len(name) > MAX_NAME:
        raise InvalidInput(f"The project name can be at most {MAX_NAME} characters.")
    for label, text in (
        ("product description", brief.product_description),
        ("prompt", brief.user_prompt),
    ):
        if len(text) > MAX_TEXT:
            raise InvalidInput(
                f"The {label} can be at most {MAX_TEXT:,} characters (it has {len(text):,})."
            )
    if brief.aspect_ratio not in ASPECT_RATIOS:
        raise InvalidInput(
            f"Aspect ratio {brief.aspect_ratio[:20]!r} is not offered; choose 9:16, 16:9 or 1:1."
        )
    return Brief(
        product_name=product_name,
        name=name,
        product_description=brief.product_description.strip(),
        user_prompt=brief.user_prompt.strip(),
        aspect_ratio=brief.aspect_ratio,
    )


def check_affordable(user: User, cost: int) -> None:
    """InsufficientCredits when the balance read with the caller cannot cover `cost`.

    Only a pre-check against a balance read moments ago; the guarded reservation in the
    transaction that creates the job is what actually decides.
    """
    if user.credits < cost:
        raise InsufficientCredits(insufficient_credits_message(cost))


async def check_photos(
    person: bytes | None, product: bytes | None, max_bytes: int
) -> tuple[CheckedImage, CheckedImage]:
    """Decode both uploads off the event loop; clear errors for missing or bad files."""
    if person is None:
        raise InvalidInput("Add a person photo (userImage).")
    if product is None:
        raise InvalidInput("Add a product photo (productImage).")
    # Both decodes end before this returns, even when one fails: the caller's decode
    # slot must not be released while a thread still burns CPU on the other photo.
    results = await asyncio.gather(
        asyncio.to_thread(check_image, person, "person photo", max_bytes),
        asyncio.to_thread(check_image, product, "product photo", max_bytes),
        return_exceptions=True,
    )
    checked = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        checked.append(result)
    return checked[0], checked[1]


async def _add_job(
    session: AsyncSession,
    project: Project,
    kind: JobKind,
    cost: int,
    settings: Settings,
    job_id: uuid.UUID,
) -> Job:
    return await JobRepository(session).create(
        job_id=job_id,
        kind=kind.value,
        project_id=project.id,
        user_id=project.user_id,
        cost=cost,
        max_attempts=settings.job_max_attempts,
    )


async def store_uploads(
    session: AsyncSession, storage: Storage, project_id: uuid.UUID, photos: Sequence[CheckedImage]
) -> list[str]:
    keys = []
    for role, photo in zip(("person", "product"), photos, strict=True):
        key = f"uploads/{project_id}/{role}.{photo.extension}"
        keys.append(key)

    async def remove_uploads() -> None:
        for key in keys:
            await storage.delete(key)

    # If anything later in this transaction fails, the uploads must not linger.
    on_rollback(session, remove_uploads)
    for key, photo in zip(keys, photos, strict=True):
        await storage.put(key, photo.data, photo.content_type)
    return keys


async def reserve_images(
    session: AsyncSession, user: User, cost: int, ids: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> None:
    """Reserve one image's cost per (project id, job id) and show the balance left.

    All in the request's transaction: one the balance cannot cover rolls back every one.
    """
    balance = user.credits
    for project_id, job_id in ids:
        balance = await reserve_credits(
            session, user.id, cost, LedgerReason.IMAGE, project_id=project_id, job_id=job_id
        )
    show_balance(user, balance)


async def create_project(
    session: AsyncSession,
    *,
    user: User,
    brief: Brief,
    person: CheckedImage,
    product: CheckedImage,
    settings: Settings,
    storage: Storage,
    queue: JobQueue,
) -> Project:
    """Reserve the image cost, store the photos, create the project and its job."""
    project_id = uuid.uuid4()
    job_id = uuid.uuid4()
    await reserve_images(session, user, settings.image_cost, [(project_id, job_id)])
    uploads = await store_uploads(session, storage, project_id, (person, product))
    return await add_image_project(
        session, user=user, brief=brief, uploads=uploads, ids=(project_id, job_id),
        settings=settings, queue=queue,
    )  # fmt: skip


async def add_image_project(
    session: AsyncSession,
    *,
    user: User,
    brief: Brief,
    uploads: Sequence[str],
    ids: tuple[uuid.UUID, uuid.UUID],
    settings: Settings,
    queue: JobQueue,
    **differences: Any,
) -> Project:
    """A new queued project and its image job (its cost already reserved), sent after commit.

    `differences` are the columns a variant sets otherwise (prompt, ratio, group, caption).
    """
    project_id, job_id = ids
    person_key, product_key = uploads
    values: dict[str, Any] = {
        "name": brief.name,
        "product_name": brief.product_name,
        "product_description": brief.product_description,
        "user_prompt": brief.user_prompt,
        "aspect_ratio": brief.aspect_ratio,
        **differences,
    }
    project = Project(
        id=project_id,
        user_id=user.id,
        user_image=person_key,
        product_image=product_key,
        **values,
    )  # a new project starts queued (the model's defaults)
    await ProjectRepository(session).add(project)
    await _add_job(session, project, JobKind.IMAGE, settings.image_cost, settings, job_id)
    after_commit(session, lambda: queue.enqueue(job_id))
    return project


async def get_owned_project(session: AsyncSession, user: User, project_id: uuid.UUID) -> Project:
    """The caller's project, or NotFound (also for other users' projects)."""
    project = await ProjectRepository(session).get_owned(project_id, user.id)
    if project is None:
        raise NotFound("No such project.")
    return project


async def get_published_project(session: AsyncSession, project_id: uuid.UUID) -> Project:
    """A project its owner published, or NotFound (unpublished ones do not exist to others)."""
    project = await ProjectRepository(session).get_published(project_id)
    if project is None or project.generated_image is None:
        raise NotFound("This ad is not published.")
    return project


async def request_video(
    session: AsyncSession,
    *,
    user: User,
    project_id: uuid.UUID,
    settings: Settings,
    queue: JobQueue,
) -> Project:
    """Reserve the video cost and queue a video job for a project with an image."""
    repo = ProjectRepository(session)
    project = await repo.lock_owned(project_id, user.id)
    if project is None:
        raise NotFound("No such project.")
    if project.generated_image is None:
        raise ImageRequired("Make the image first; the video is animated from it.")
    if project.status in ACTIVE_STATUSES:
        raise ProjectBusy("This project is generating; wait until it finishes.")
    if project.generated_video is not None:
        raise VideoExists("This project already has a video.")
    if not await lifecycle.claim_for_video(session, project.id, user.id):
        raise ProjectBusy("This project is generating; wait until it finishes.")
    job_id = uuid.uuid4()
    balance = await reserve_credits(
        session,
        user.id,
        settings.video_cost,
        LedgerReason.VIDEO,
        project_id=project.id,
        job_id=job_id,
    )
    show_balance(user, balance)
    await _add_job(session, project, JobKind.VIDEO, settings.video_cost, settings, job_id)
    after_commit(session, lambda: queue.enqueue(job_id))
    return project


async def set_published(
    session: AsyncSession, *, user: User, project_id: uuid.UUID, is_published: bool
) -> bool:
    """Publish or unpublish a project that has an image."""
    # Locked: a delete committing meanwhile makes this a 404, not a lost update.
    project = await ProjectRepository(session).lock_owned(project_id, user.id)
    if project is None:
        raise NotFound("No such project.")
    if is_published and project.generated_image is None:
        raise ImageRequired("Only a project with a finished image can be published.")
    if project.is_published != is_published:
        project.is_published = is_published
        project.published_at = utcnow() if is_published else None
    return project.is_published


async def delete_project(
    session: AsyncSession, *, user: User, project_id: uuid.UUID, storage: Storage
) -> None:
    """Delete an idle project and, once that is committed, its stored files."""
    repo = ProjectRepository(session)
    group = await repo.variant_group_of(project_id, user.id)
    if group is not None:  # the whole group first, in id order, so deletes never deadlock
        await repo.lock_group(group)
    project = await repo.lock_owned(project_id, user.id)
    if project is None:
        raise NotFound("No such project.")
    busy = "This project is generating; delete it once it finishes."
    if project.status in ACTIVE_STATUSES or await repo.has_unfinished_job(project.id):
        raise ProjectBusy(busy)
    keys = project.stored_keys()
    if not await repo.delete_idle(project.id, user.id):
        raise ProjectBusy(busy)
    session.expunge(project)
    # Variants share their uploads: those go with the last project that uses them.
    shared = await repo.still_used([project.user_image, project.product_image])
    keys = [key for key in keys if key not in shared]

    async def remove_files() -> None:
        for key in keys:
            await storage.delete(key)

    after_commit(session, remove_files)


async def list_projects(
    session: AsyncSession, user: User, cursor: str | None, limit: int
) -> tuple[Sequence[Project], str | None]:
    """A page of the caller's projects and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    rows = await ProjectRepository(session).page_for_user(user.id, after, limit + 1)
    return split_page(rows, limit, lambda p: (p.created_at, p.id))


async def list_published(
    session: AsyncSession, cursor: str | None, limit: int
) -> tuple[Sequence[Project], str | None]:
    """A page of the community feed and the cursor of the next page."""
    after = decode_cursor(cursor) if cursor else None
    rows = await ProjectRepository(session).page_published(after, limit + 1)
    return split_page(rows, limit, lambda p: (p.published_at, p.id))

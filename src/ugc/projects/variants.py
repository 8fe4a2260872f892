"""Variants: several ads from one pair of photos and one brief, charged together.

Each variant is a project of its own (aspect ratio, hook, caption on or off) with its own
image job; all of them share one copy of the uploads in storage and a `variant_group` id.
The charge is all or none: one transaction reserves every variant's cost.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.config import Settings
from ugc.engines.base import ASPECT_RATIOS
from ugc.errors import InvalidInput
from ugc.jobs.context import JobQueue
from ugc.projects.models import Project
from ugc.projects.repository import ProjectRepository
from ugc.projects.service import (
    MAX_TEXT,
    Brief,
    add_image_project,
    reserve_images,
    store_uploads,
)
from ugc.projects.uploads import CheckedImage
from ugc.storage.base import Storage
from ugc.text import check_text

MAX_VARIANTS = 8


@dataclass(frozen=True, slots=True)
class Variant:
    """What differs between the ads of a group."""

    aspect_ratio: str
    prompt: str
    caption: bool


def parse_variants(raw: str) -> list[Variant]:
    """The `variants` field: a JSON list of 1-8 {aspectRatio, prompt, caption}; else 422."""
    try:
        items = json.loads(raw or "null")
    except ValueError:
        raise InvalidInput(
            'variants must be a JSON list, e.g. [{"aspectRatio": "9:16", "prompt": "..."}].'
        ) from None
    if not isinstance(items, list) or not items:
        raise InvalidInput("Give at least one variant (a JSON list in the variants field).")
    if len(items) > MAX_VARIANTS:
        raise InvalidInput(
            f"At most {MAX_VARIANTS} variants at once (this asked for {len(items)})."
        )
    return [_variant(number, item) for number, item in enumerate(items, start=1)]


def _variant(number: int, item: object) -> Variant:
    if not isinstance(item, dict):
        raise InvalidInput(f"Variant {number} must be an object with aspectRatio, prompt, caption.")
    ratio = item.get("aspectRatio", "9:16")
    if ratio not in ASPECT_RATIOS:
        raise InvalidInput(f"Variant {number}: choose the aspect ratio 9:16, 16:9 or 1:1.")
    prompt = item.get("prompt", "")
    caption = item.get("caption", True)
    if not isinstance(prompt, str) or not isinstance(caption, bool):
        raise InvalidInput(f"Variant {number}: prompt must be text and caption true or false.")
    if len(prompt) > MAX_TEXT:
        raise InvalidInput(f"Variant {number}: the prompt can be at most {MAX_TEXT:,} characters.")
    check_text(f"variant {number}'s prompt", prompt, multiline=True)
    return Variant(aspect_ratio=ratio, prompt=prompt.strip(), caption=caption)


async def create_variants(
    session: AsyncSession,
    *,
    user: User,
    brief: Brief,
    variants: list[Variant],
    person: CheckedImage,
    product: CheckedImage,
    settings: Settings,
    storage: Storage,
    queue: JobQueue,
) -> list[Project]:
    """Reserve every variant's cost, store the photos once, create the projects and jobs."""
    group = uuid.uuid4()
    planned = [(uuid.uuid4(), uuid.uuid4(), variant) for variant in variants]
    # One transaction: a variant the balance cannot cover rolls back every reservation.
    await reserve_images(session, user, settings.image_cost, [(p, j) for p, j, _ in planned])
    uploads = await store_uploads(session, storage, group, (person, product))
    return [
        await add_image_project(
            session,
            user=user,
            brief=brief,
            uploads=uploads,
            ids=(project_id, job_id),
            settings=settings,
            queue=queue,
            user_prompt=variant.prompt or brief.user_prompt,
            aspect_ratio=variant.aspect_ratio,
            variant_group=group,
            show_caption=variant.caption,
        )
        for project_id, job_id, variant in planned
    ]


async def variant_members(
    session: AsyncSession, user: User, groups: Collection[uuid.UUID]
) -> dict[uuid.UUID, dict[uuid.UUID, str]]:
    """Each of the user's groups: its projects' aspect ratios by project id, oldest first."""
    members: dict[uuid.UUID, dict[uuid.UUID, str]] = {}
    for group, project_id, ratio in await ProjectRepository(session).variant_members(
        user.id, groups
    ):
        members.setdefault(group, {})[project_id] = ratio
    return members

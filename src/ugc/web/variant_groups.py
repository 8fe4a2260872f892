"""My generations: the variants of one group shown together under one heading."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ugc.auth.models import User
from ugc.engines.base import ASPECT_RATIOS
from ugc.projects import variants
from ugc.projects.schemas import ProjectOut


@dataclass(frozen=True, slots=True)
class GroupHeading:
    """What a group's heading says: the whole group, even the cards on other pages."""

    name: str
    members: dict[uuid.UUID, str]  # project id -> aspect ratio

    @property
    def title(self) -> str:
        """'4 variants of Aqua Bottle'."""
        count = len(self.members)
        return f"{count} {'variant' if count == 1 else 'variants'} of {self.name}"

    @property
    def ratios(self) -> str:
        """The group's aspect ratios in the Create page's order, e.g. '9:16 · 1:1'."""
        used = set(self.members.values())
        return " · ".join(ratio for ratio in ASPECT_RATIOS if ratio in used)

    @property
    def members_json(self) -> str:
        """The members for the page's script, which keeps the heading true after a delete."""
        return json.dumps({str(key): ratio for key, ratio in self.members.items()})


def keep_groups_together(cards: Sequence[ProjectOut]) -> list[ProjectOut]:
    """The cards in page order, except that a group's cards follow its first card."""
    placed: dict[uuid.UUID | None, list[ProjectOut]] = {}
    rows: list[list[ProjectOut]] = []
    for card in cards:
        group = card.variant_group
        if group is not None and group in placed:
            placed[group].append(card)
            continue
        row = [card]
        rows.append(row)
        if group is not None:
            placed[group] = row
    return [card for row in rows for card in row]


async def group_headings(
    session: AsyncSession, user: User, cards: Sequence[ProjectOut]
) -> dict[uuid.UUID, GroupHeading]:
    """A heading for every variant group that has a card on this page."""
    names = {c.variant_group: c.name for c in cards if c.variant_group is not None}
    members = await variants.variant_members(session, user, names.keys())
    return {
        group: GroupHeading(name=names[group], members=found) for group, found in members.items()
    }

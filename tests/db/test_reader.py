"""The GET routes' reader returns what SQLAlchemy returns for the same statement: the same
columns, values and Python types (enums, JSON, UUIDs, aware datetimes), on both backends."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Select, insert

from ugc.auth import queries as auth_queries
from ugc.auth.models import ApiToken, User, UserSession
from ugc.credits import queries as credit_queries
from ugc.credits.models import LedgerEntry
from ugc.db.base import utcnow
from ugc.db.engine import Database
from ugc.projects import queries as project_queries
from ugc.projects.models import Project


async def _seed(db: Database) -> dict[str, Any]:
    user_id, now = uuid.uuid4(), utcnow()
    project_ids = [uuid.uuid4() for _ in range(3)]
    async with db.engine.begin() as connection:
        await connection.execute(
            insert(User), [{"id": user_id, "email": "reader@example.com", "credits": 7}]
        )
        await connection.execute(
            insert(ApiToken),
            [{"user_id": user_id, "name": "ci", "token_hash": "t" * 64, "last_used_at": now}],
        )
        await connection.execute(
            insert(UserSession),
            [{"user_id": user_id, "token_hash": "s" * 64, "expires_at": now + timedelta(days=1)}],
        )
        await connection.execute(
            insert(Project),
            [
                {
                    "id": project_id,
                    "user_id": user_id,
                    "name": f"Ad {n}",
                    "product_name": "Serum",
                    "product_description": "A bottle",
                    "user_prompt": "Holding it",
                    "aspect_ratio": "9:16",
                    "user_image": f"u/{n}",
                    "product_image": f"p/{n}",
                    "created_at": now - timedelta(minutes=n),
                    "composition": {"kind": "hand", "hand": "left"} if n else None,
                    "fidelity_score": 0.93 if n else None,
                    "is_published": n == 1,
                    "published_at": now if n == 1 else None,
                }
                for n, project_id in enumerate(project_ids)
            ],
        )
        await connection.execute(
            insert(LedgerEntry),
            [
                {"user_id": user_id, "delta": 20, "reason": "signup"},
                {"user_id": user_id, "delta": -5, "reason": "image", "project_id": project_ids[0]},
            ],
        )
    return {"user_id": user_id, "project_ids": project_ids, "now": now}


def _statements(seed: dict[str, Any]) -> list[tuple[Select[Any], dict[str, Any]]]:
    user_id, [first, second, _] = seed["user_id"], seed["project_ids"]
    return [
        (project_queries._OWNED, {"project_id": second, "user_id": user_id}),
        project_queries._BY_OWNER.page(None, 2, user_id=user_id),
        project_queries._BY_OWNER.page((seed["now"], first), 5, user_id=user_id),
        project_queries._PUBLISHED.page(None, 5),
        credit_queries._BY_USER.page(None, 5, user_id=user_id),
        (auth_queries._CALLER_BY_TOKEN, {"token_hash": "t" * 64}),
        (auth_queries._CALLER_BY_SESSION, {"token_hash": "s" * 64, "now": seed["now"]}),
    ]


async def test_reader_rows_match_sqlalchemy_rows(database_url: str) -> None:
    db = Database(database_url)
    try:
        seed = await _seed(db)
        for statement, parameters in _statements(seed):
            async with db.engine.connect() as connection:
                expected = [tuple(row) for row in await connection.execute(statement, parameters)]
            rows = await db.reader.all(statement, parameters)
            assert expected, statement
            assert [tuple(row) for row in rows] == expected
            for row, want in zip(rows, expected, strict=True):
                assert [type(value) for value in row] == [type(value) for value in want]
            first = await db.reader.first(statement, parameters)
            assert first is not None and tuple(first) == expected[0]
        owned = await db.reader.first(*_statements(seed)[0])
        assert owned.composition == {"kind": "hand", "hand": "left"}
        assert owned.status == "queued" and owned.created_at.tzinfo is not None
        page = await db.reader.all(*_statements(seed)[2])
        assert [row.name for row in page] == ["Ad 1", "Ad 2"]
        assert await db.reader.first(auth_queries._CALLER_BY_TOKEN, {"token_hash": "x"}) is None
    finally:
        await db.dispose()

"""The billing migration builds exactly what the models describe, and can be undone."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from ugc.db.migrate import alembic_config, upgrade
from ugc.db.models import Base


async def _differences(database_url: str) -> list[object]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:

            def compare(sync_connection: object) -> list[object]:
                context = MigrationContext.configure(sync_connection)  # type: ignore[arg-type]
                return list(compare_metadata(context, Base.metadata))

            return await connection.run_sync(compare)
    finally:
        await engine.dispose()


async def _tables(database_url: str) -> tuple[set[str], set[str]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:

            def read(sync_connection: object) -> tuple[set[str], set[str]]:
                inspector = inspect(sync_connection)
                columns = {c["name"] for c in inspector.get_columns("credit_ledger")}
                return set(inspector.get_table_names()), columns

            return await connection.run_sync(read)
    finally:
        await engine.dispose()


async def test_models_match_the_migrated_schema(database_url):
    assert await _differences(database_url) == []


def test_downgrade_removes_billing_and_upgrade_restores_it(database_url):
    command.downgrade(alembic_config(database_url), "0001")
    tables, columns = asyncio.run(_tables(database_url))
    assert "purchases" not in tables and "reference" not in columns
    upgrade(database_url)
    tables, columns = asyncio.run(_tables(database_url))
    assert "purchases" in tables and "reference" in columns

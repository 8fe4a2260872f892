"""Fixtures: a fresh real database per test (SQLite and PostgreSQL), the app, a client.

- `database_url` is parametrised over the backends in UGC_TEST_BACKENDS
  (default "sqlite,postgresql"): a test using it runs once per backend.
- `settings_factory(**overrides)` builds Settings on that database with media under
  tmp_path and fast retry/lease timings.
- `make_client(**overrides)` starts an app (lifespan: in-process worker, reconciler) and
  returns an httpx client bound to it; every app is stopped at teardown, and the ledger
  invariant (sum of deltas == balance, for every user) is checked.
- `client` is `make_client()` with defaults.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import app_settings
from ugc.app import create_app
from ugc.config import Settings
from ugc.db.migrate import upgrade

# Fake Gemini/Omni and Cloudinary servers: fake_gemini, fake_cloudinary (see the module).
pytest_plugins = ["tests.fakes.fixtures"]

BACKENDS = [b for b in os.environ.get("UGC_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
PG_ADMIN = os.environ.get("UGC_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _run_async(coro: Awaitable[Any]) -> Any:
    """Run a coroutine to completion on a private thread (safe inside any loop)."""
    result: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coro))  # type: ignore[arg-type]
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0] if result else None


async def _pg_admin(*statements: str) -> None:
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def _pg_url(name: str) -> str:
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test clones."""
    name = f"ugc_tpl_{uuid.uuid4().hex[:10]}"
    _run_async(_pg_admin(f'CREATE DATABASE "{name}"'))
    upgrade(_pg_url(name))
    yield name
    _run_async(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of the parametrised backend."""
    if request.param == "sqlite":
        path = tmp_path / "ugc.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"ugc_t_{uuid.uuid4().hex[:12]}"
    _run_async(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    yield _pg_url(name)
    _run_async(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


SettingsFactory = Callable[..., Settings]


@pytest.fixture
def settings_factory(database_url: str, tmp_path: Path) -> SettingsFactory:
    """Settings on the test database with fast job timings."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "job_lease_seconds": 5,
            "worker_threads": 2,
            "image_engine": "local",
            "video_engine": "local",
        }
        return app_settings(tmp_path, database_url, **(values | overrides))

    return make


async def assert_ledger_matches_balances(database_url: str) -> None:
    """The credit invariant: every user's ledger sums to their balance."""
    # A generous busy timeout: the app's last connection may still be checkpointing the WAL.
    connect_args = {"timeout": 30} if database_url.startswith("sqlite") else {}
    engine = create_async_engine(database_url, connect_args=connect_args)
    try:
        async with engine.connect() as connection:
            rows = (
                await connection.execute(
                    text(
                        "SELECT u.id, u.credits, COALESCE(SUM(l.delta), 0) FROM users u "
                        "LEFT JOIN credit_ledger l ON l.user_id = u.id GROUP BY u.id, u.credits"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    for user_id, credits, total in rows:
        assert credits == total, f"user {user_id}: balance {credits} != ledger sum {total}"
        assert credits >= 0


ClientFactory = Callable[..., Awaitable[httpx.AsyncClient]]


@pytest.fixture
async def make_client(
    settings_factory: SettingsFactory, database_url: str
) -> AsyncIterator[ClientFactory]:
    """Start apps on the test database; stop them and check the ledger at teardown."""
    stack = AsyncExitStack()

    async def make(**overrides: Any) -> httpx.AsyncClient:
        app = create_app(settings_factory(**overrides))
        await stack.enter_async_context(app.router.lifespan_context(app))
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        )
        client.app = app  # type: ignore[attr-defined]
        await stack.enter_async_context(client)
        return client

    yield make
    await stack.aclose()
    await assert_ledger_matches_balances(database_url)


@pytest.fixture
async def client(make_client: ClientFactory) -> httpx.AsyncClient:
    """A client of an app with default test settings."""
    return await make_client()

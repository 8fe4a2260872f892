"""Deleting an account: every row and stored file of that user goes, nobody else's does."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer
from sqlalchemy import func, select

from tests.billing.helpers import balance, buyer_with_paid_session, post_event
from tests.conftest import BACKENDS
from tests.support import PASSWORD, create_project, signup, wait_for_project
from ugc.auth.models import ApiToken, User
from ugc.billing.models import Purchase
from ugc.credits.models import LedgerEntry
from ugc.jobs.metrics import JOBS_TOTAL
from ugc.jobs.models import Job
from ugc.projects.models import Project

CONFIRM = {"confirm": "delete my account", "password": PASSWORD}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server for this module."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


Lister = Callable[[], list[str]]


# Disk on every database backend; S3 (moto) on SQLite: the storage, not the database, is
# what differs there.
STORAGE_CASES = [(backend, "disk") for backend in BACKENDS]
STORAGE_CASES += [("sqlite", "s3")] if "sqlite" in BACKENDS else []
on_each_storage = pytest.mark.parametrize(
    ("database_url", "stored"), STORAGE_CASES, indirect=True, ids=lambda v: v
)


@pytest.fixture
def stored(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, Lister]:
    """(UGC_STORAGE_URL, a function listing every stored key) on disk or on S3 (moto)."""
    if request.param == "disk":
        root = tmp_path / "media"

        def on_disk() -> list[str]:
            files = root.rglob("*") if root.exists() else []
            return sorted(str(p.relative_to(root)) for p in files if p.is_file())

        return f"file://{root}", on_disk
    endpoint = request.getfixturevalue("s3_endpoint")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ALLOW_HTTP": "true",
    }.items():
        monkeypatch.setenv(name, value)
    bucket = f"ugc-{uuid.uuid4().hex[:10]}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=bucket)

    def in_bucket() -> list[str]:
        listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        return sorted(o["Key"].removeprefix("media/") for o in listed)

    return f"s3://{bucket}/media", in_bucket


async def _count(client: httpx.AsyncClient, model: type, user_id: str) -> int:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        column = model.id if model is User else model.user_id  # type: ignore[attr-defined]
        total = await session.scalar(select(func.count()).where(column == uuid.UUID(user_id)))
        await session.commit()
    return int(total or 0)


async def _owned_keys(client: httpx.AsyncClient, user_id: str) -> set[str]:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        rows = await session.scalars(select(Project).where(Project.user_id == uuid.UUID(user_id)))
        projects = rows.all()
        await session.commit()
    fields = ("user_image", "product_image", "generated_image", "scene", "generated_video")
    return {getattr(p, f) for p in projects for f in fields if getattr(p, f)}


async def _ready_project(client: httpx.AsyncClient, *, video: bool = False) -> str:
    project_id: str = (await create_project(client)).json()["projectId"]
    project = await wait_for_project(client, project_id)
    assert project["status"] == "ready", project["error"]
    if video:
        await client.post("/api/project/video", json={"projectId": project_id})
        project = await wait_for_project(client, project_id, within=120)
        assert project["generatedVideo"], project["error"]
    return project_id


@on_each_storage
@pytest.mark.xdist_group("moto")
async def test_deletion_removes_everything_of_that_user_only(make_client, fake_stripe, stored):
    storage_url, list_keys = stored
    client = await make_client(storage_url=storage_url, **fake_stripe.settings_overrides())
    other = await make_client(storage_url=storage_url, **fake_stripe.settings_overrides())

    user, session_id, event = await buyer_with_paid_session(client, fake_stripe, "starter")
    await post_event(client, event)
    published = await _ready_project(client, video=True)
    await client.post("/api/project/publish", json={"projectId": published, "isPublished": True})
    await _ready_project(client)
    token = (await client.post("/api/auth/tokens", json={"name": "ci"})).json()["secret"]
    cookie = client.cookies.get("ugc_session")

    neighbour = await signup(other)
    theirs = await _ready_project(other)
    await other.post("/api/project/publish", json={"projectId": theirs, "isPublished": True})
    neighbour_keys = await _owned_keys(other, neighbour["id"])
    mine = await _owned_keys(client, user["id"])
    assert mine and set(list_keys()) >= mine | neighbour_keys
    neighbour_balance = await balance(other)
    feed = (await other.get("/api/project/published")).json()
    assert {p["id"] for p in feed["projects"]} == {published, theirs}

    response = await client.request("DELETE", "/api/user/me", json=CONFIRM)
    assert response.status_code == 204, response.text
    assert "ugc_session=" in response.headers["set-cookie"]  # the browser's cookie is cleared

    assert set(list_keys()) == neighbour_keys  # nothing of theirs left in storage
    for model in (User, Project, Job, LedgerEntry, ApiToken, Purchase):
        assert await _count(client, model, user["id"]) == 0, model
    # An old copy of the session cookie and the API token no longer open anything.
    transport = httpx.ASGITransport(app=client.app)  # type: ignore[attr-defined]
    stale = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    async with stale:
        stale.cookies.set("ugc_session", cookie or "")
        assert (await stale.get("/api/user/me")).status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await stale.get("/api/user/me", headers=bearer)).status_code == 401
    # Published ads left the community at once; the neighbour's stayed.
    feed = (await other.get("/api/project/published")).json()
    assert [p["id"] for p in feed["projects"]] == [theirs]
    assert (await other.get(f"/media/published/{published}/image.png")).status_code == 404
    assert (await other.get(f"/ads/{published}")).status_code == 404
    assert (await other.get(f"/media/published/{theirs}/image.png")).status_code in (200, 302)
    assert await balance(other) == neighbour_balance
    # A refund of the deleted account's purchase finds nobody and changes nothing.
    assert (await post_event(other, fake_stripe.refund_event(session_id))).json()["outcome"] == (
        "unknown_payment"
    )


async def test_deletion_needs_the_phrase_and_the_password(client):
    user = await signup(client)
    await _ready_project(client)
    attempts = [
        ({"confirm": "yes", "password": PASSWORD}, 422),
        ({"confirm": "delete my account"}, 422),
        ({"confirm": "delete my account", "password": "wrong password"}, 403),
    ]
    for body, status in attempts:
        response = await client.request("DELETE", "/api/user/me", json=body)
        assert response.status_code == status, response.text
        assert "nothing was deleted" in response.json()["detail"]
    assert (await client.get("/api/user/me")).json()["id"] == user["id"]
    assert await _count(client, Project, user["id"]) == 1
    assert await balance(client) == 15


def _video_outcomes(*outcomes: str) -> float:
    """How many video jobs of this process ended with one of `outcomes` (Prometheus counter)."""
    return sum(JOBS_TOTAL.labels(kind="video", outcome=o)._value.get() for o in outcomes)


def _finished_video_jobs() -> float:
    return _video_outcomes("succeeded", "discarded", "superseded", "failed")


@on_each_storage
@pytest.mark.xdist_group("moto")
async def test_deleting_while_a_video_renders_stores_nothing_and_spares_others(make_client, stored):
    storage_url, list_keys = stored
    client = await make_client(storage_url=storage_url)
    other = await make_client(storage_url=storage_url)
    user = await signup(client)
    neighbour = await signup(other)
    mine = await _ready_project(client)
    theirs = await _ready_project(other)
    finished_before = _finished_video_jobs()
    thrown_away_before = _video_outcomes("discarded", "superseded")
    for who, project_id in ((client, mine), (other, theirs)):
        response = await who.post("/api/project/video", json={"projectId": project_id})
        assert response.status_code == 202
    # Wait until our video is being rendered, then delete the account under it.
    await wait_for_project(
        client, mine, lambda p: p["status"] == "generating" and p["progress"] > 0
    )
    response = await client.request("DELETE", "/api/user/me", json=CONFIRM)
    assert response.status_code == 204

    deadline = time.monotonic() + 120
    while _finished_video_jobs() < finished_before + 2:  # both video jobs have ended
        assert time.monotonic() < deadline, "the video jobs did not end"
        await asyncio.sleep(0.1)
    # Ours noticed its account was gone and kept nothing; theirs finished.
    assert _video_outcomes("discarded", "superseded") == thrown_away_before + 1
    project = await wait_for_project(other, theirs)
    assert project["status"] == "ready" and project["generatedVideo"], project["error"]
    assert set(list_keys()) == await _owned_keys(other, neighbour["id"])
    assert await _count(client, User, user["id"]) == 0
    assert await balance(other) == 20 - 5 - 10

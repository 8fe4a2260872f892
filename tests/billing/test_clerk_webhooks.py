"""Clerk's user webhooks, signed in the test with the `svix` library exactly as Clerk sends them."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from svix.webhooks import Webhook

from tests.auth.test_oidc import ISSUER, PARTY, _token, jwks_server  # noqa: F401
from tests.support import create_project, signup, wait_for_project
from ugc.auth.models import User
from ugc.projects.models import Project

SECRET = "whsec_" + base64.b64encode(b"clerk-webhook-test-secret-32-byt").decode()
HOOK = "/api/webhooks/clerk"


def clerk_user(subject: str, *emails: str, primary: int = 0) -> dict[str, Any]:
    """A Clerk user object as its webhooks carry it (the fields we read, and some we don't)."""
    addresses = [
        {
            "id": f"idn_{i}{subject[-6:]}",
            "object": "email_address",
            "email_address": email,
            "verification": {"status": "verified", "strategy": "email_code"},
        }
        for i, email in enumerate(emails)
    ]
    return {
        "id": subject,
        "object": "user",
        "email_addresses": addresses,
        "primary_email_address_id": addresses[primary]["id"] if addresses else None,
        "first_name": "Ada",
        "created_at": 1764576000000,
        "updated_at": 1764576000000,
    }


def clerk_event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": data,
        "object": "event",
        "type": kind,
        "timestamp": 1764576000000,
        "instance_id": "ins_2testinstance",
    }


async def deliver(
    client: httpx.AsyncClient,
    event: dict[str, Any],
    *,
    message_id: str | None = None,
    secret: str = SECRET,
    sent_at: datetime | None = None,
    body: str | None = None,
) -> httpx.Response:
    """POST the event with svix-id / svix-timestamp / svix-signature made by svix itself."""
    payload = json.dumps(event)
    message_id = message_id or f"msg_{uuid.uuid4().hex}"
    moment = sent_at or datetime.now(UTC)
    signature = Webhook(secret).sign(message_id, moment, payload)
    headers = {
        "svix-id": message_id,
        "svix-timestamp": str(int(moment.timestamp())),
        "svix-signature": signature,
        "Content-Type": "application/json",
    }
    return await client.post(HOOK, content=(body or payload).encode(), headers=headers)


async def users(client: httpx.AsyncClient, subject: str) -> list[User]:
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        found = (await session.scalars(select(User).where(User.external_id == subject))).all()
        await session.commit()
    return list(found)


@pytest.fixture
async def clerk_client(make_client, jwks_server):  # noqa: F811
    url, keys = jwks_server
    client = await make_client(
        clerk_webhook_secret=SECRET,
        oidc_issuer=ISSUER,
        oidc_jwks_url=url,
        oidc_authorized_parties=(PARTY,),
    )
    return client, keys


async def test_created_updated_replayed_and_deleted(clerk_client):
    client, _ = clerk_client
    subject = f"user_{uuid.uuid4().hex[:20]}"
    created = clerk_event("user.created", clerk_user(subject, "ada@example.com"))
    response = await deliver(client, created, message_id="msg_created_1")
    assert response.status_code == 200, response.text
    assert response.json() == {"received": True, "outcome": "created"}
    [user] = await users(client, subject)
    assert (user.email, user.credits) == ("ada@example.com", 20)
    # Svix retries and replays carry the same message id: applied once.
    assert (await deliver(client, created, message_id="msg_created_1")).json()["outcome"] == (
        "replayed"
    )
    # A second user.created (another message) finds the account: no second signup grant.
    assert (await deliver(client, created)).json()["outcome"] == "unchanged"
    [user] = await users(client, subject)
    assert user.credits == 20

    updated = clerk_user(subject, "old@example.com", "Ada.New@Example.com", primary=1)
    response = await deliver(client, clerk_event("user.updated", updated))
    assert response.json()["outcome"] == "updated"
    [user] = await users(client, subject)
    assert user.email == "ada.new@example.com"

    deleted = clerk_event("user.deleted", {"id": subject, "object": "user", "deleted": True})
    assert (await deliver(client, deleted, message_id="msg_deleted")).json()["outcome"] == (
        "deleted"
    )
    assert await users(client, subject) == []
    assert (await deliver(client, deleted, message_id="msg_deleted")).json()["outcome"] == (
        "replayed"
    )
    assert (await deliver(client, deleted)).json()["outcome"] == "unknown_user"


async def test_email_of_another_account_is_not_taken(clerk_client):
    client, _ = clerk_client
    owner = await signup(client)
    subject = f"user_{uuid.uuid4().hex[:20]}"
    await deliver(client, clerk_event("user.created", clerk_user(subject, "clerk@example.com")))
    taken = clerk_event("user.updated", clerk_user(subject, owner["email"]))
    assert (await deliver(client, taken)).json()["outcome"] == "email_in_use"
    [user] = await users(client, subject)
    assert user.email == "clerk@example.com"


async def test_bad_signatures_change_nothing(clerk_client):
    client, _ = clerk_client
    subject = f"user_{uuid.uuid4().hex[:20]}"
    event = clerk_event("user.created", clerk_user(subject, "mallory@example.com"))
    wrong_secret = "whsec_" + base64.b64encode(b"an entirely different secret!!!!").decode()
    attempts = [
        {"secret": wrong_secret},
        {"sent_at": datetime.now(UTC) - timedelta(minutes=10)},  # a replay of an old capture
        {"sent_at": datetime.now(UTC) + timedelta(minutes=10)},
        {"body": json.dumps(clerk_event("user.created", clerk_user(subject, "eve@example.com")))},
    ]
    for attempt in attempts:
        response = await deliver(client, event, **attempt)
        assert response.status_code == 400, (attempt, response.text)
        assert response.json()["error"] == "invalid_signature"
    unsigned = await client.post(HOOK, content=json.dumps(event).encode())
    assert unsigned.status_code == 400
    assert await users(client, subject) == []


async def test_first_jwt_then_webhook_is_one_account(clerk_client):
    client, keys = clerk_client
    subject = f"user_{uuid.uuid4().hex[:20]}"
    bearer = {"Authorization": f"Bearer {_token(keys, sub=subject, email='jwt@example.com')}"}
    me = (await client.get("/api/user/me", headers=bearer)).json()
    response = await deliver(client, clerk_event("user.created", clerk_user(subject, me["email"])))
    assert response.json()["outcome"] == "unchanged"
    [user] = await users(client, subject)
    assert (str(user.id), user.credits) == (me["id"], 20)


async def test_first_webhook_then_jwt_is_one_account(clerk_client):
    client, keys = clerk_client
    subject = f"user_{uuid.uuid4().hex[:20]}"
    await deliver(client, clerk_event("user.created", clerk_user(subject, "hook@example.com")))
    [user] = await users(client, subject)
    bearer = {"Authorization": f"Bearer {_token(keys, sub=subject, email='hook@example.com')}"}
    me = (await client.get("/api/user/me", headers=bearer)).json()
    assert (me["id"], me["credits"]) == (str(user.id), 20)
    assert len(await users(client, subject)) == 1


async def test_user_deleted_removes_the_projects_and_files(clerk_client, tmp_path):
    client, keys = clerk_client
    subject = f"user_{uuid.uuid4().hex[:20]}"
    bearer = {"Authorization": f"Bearer {_token(keys, sub=subject)}"}
    client.headers.update(bearer)
    project_id = (await create_project(client)).json()["projectId"]
    await wait_for_project(client, project_id)
    media = tmp_path / "media"
    assert any(media.rglob("*.png"))
    deleted = clerk_event("user.deleted", {"id": subject, "object": "user", "deleted": True})
    client.headers.pop("Authorization")
    assert (await deliver(client, deleted)).json()["outcome"] == "deleted"
    assert [p for p in media.rglob("*") if p.is_file()] == []
    async with client.app.state.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Project)) == 0
        await session.commit()


async def test_clerk_account_deletes_itself_without_a_password(clerk_client):
    client, keys = clerk_client
    subject = f"user_{uuid.uuid4().hex[:20]}"
    bearer = {"Authorization": f"Bearer {_token(keys, sub=subject)}"}
    await client.get("/api/user/me", headers=bearer)
    response = await client.request(
        "DELETE", "/api/user/me", json={"confirm": "delete my account"}, headers=bearer
    )
    assert response.status_code == 204, response.text
    assert await users(client, subject) == []


async def test_clerk_webhooks_off_without_a_secret(make_client):
    client = await make_client()
    event = clerk_event("user.created", clerk_user("user_nobody", "x@example.com"))
    response = await deliver(client, event)
    assert response.status_code == 503

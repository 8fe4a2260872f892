"""Email verification: a signed, expiring link; signup credits once, even for racing clicks."""

from __future__ import annotations

import asyncio
import email
import re
import uuid
from email.policy import default as default_policy
from pathlib import Path

import httpx
import pytest

from tests.support import PASSWORD, signup, unique_email
from ugc.auth import verification

ROUNDS = 4
CLICKS = 6


def _links(mail_dir: Path, to: str) -> list[str]:
    """The verification links mailed to `to`, oldest first."""
    links = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if message["To"] == to:
            found = re.search(r"http://testserver/verify-email\?token=\S+", message.get_content())
            assert found, message.get_content()
            links.append(found.group(0))
    return links


def _token(link: str) -> str:
    return link.partition("token=")[2]


@pytest.fixture
async def verifying(make_client, tmp_path):
    """An app whose signup credits wait for a verified email; mail lands in tmp_path/mail."""
    return await make_client(
        mail_url=f"file://{tmp_path}/mail", signup_credits_require_verified=True
    )


async def _history(client: httpx.AsyncClient) -> list[tuple[int, str]]:
    entries = (await client.get("/api/user/credits/history")).json()["entries"]
    return [(e["delta"], e["reason"]) for e in entries]


async def test_credits_wait_for_the_verification_link(verifying, tmp_path):
    email_address = unique_email()
    user = await signup(verifying, email_address)
    assert user["credits"] == 0 and user["emailVerifiedAt"] is None
    assert await _history(verifying) == []
    [link] = _links(tmp_path / "mail", email_address)

    page = await verifying.get(link.removeprefix("http://testserver"))
    assert page.status_code == 200 and "Your email is confirmed" in page.text
    me = (await verifying.get("/api/user/me")).json()
    assert me["credits"] == 20 and me["emailVerifiedAt"]
    assert await _history(verifying) == [(20, "signup")]
    again = await verifying.get(link.removeprefix("http://testserver"))
    assert again.status_code == 200
    assert (await verifying.get("/api/user/me")).json()["credits"] == 20


async def test_without_the_setting_credits_come_at_signup_and_verification_adds_none(
    make_client, tmp_path
):
    client = await make_client(mail_url=f"file://{tmp_path}/mail")
    email_address = unique_email()
    assert (await signup(client, email_address))["credits"] == 20
    [link] = _links(tmp_path / "mail", email_address)
    response = await client.post("/api/auth/verify-email", json={"token": _token(link)})
    assert response.status_code == 200
    assert response.json()["user"]["credits"] == 20 and response.json()["user"]["emailVerifiedAt"]
    assert await _history(client) == [(20, "signup")]


async def test_concurrent_clicks_grant_the_credits_exactly_once(verifying, tmp_path):
    for _ in range(ROUNDS):
        verifying.cookies.clear()
        email_address = unique_email()
        await signup(verifying, email_address)
        [link] = _links(tmp_path / "mail", email_address)
        path = link.removeprefix("http://testserver")
        clicks = [verifying.get(path) for _ in range(CLICKS // 2)]
        posts = [
            verifying.post("/api/auth/verify-email", json={"token": _token(link)})
            for _ in range(CLICKS // 2)
        ]
        responses = await asyncio.gather(*clicks, *posts)
        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        assert (await verifying.get("/api/user/me")).json()["credits"] == 20
        assert await _history(verifying) == [(20, "signup")]


async def test_forged_expired_and_stale_links_are_refused(verifying, tmp_path):
    email_address = unique_email()
    user = await signup(verifying, email_address)
    [link] = _links(tmp_path / "mail", email_address)
    token = _token(link)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = await verifying.post("/api/auth/verify-email", json={"token": forged})
    assert refused.status_code == 422 and "not valid" in refused.json()["detail"]
    page = await verifying.get(f"/verify-email?token={forged}")
    assert page.status_code == 400 and "That link did not work" in page.text

    user_id, secret = uuid.UUID(user["id"]), verifying.app.state.secret_key
    expired = verification.make_verification_token(secret, user_id, email_address, -1)
    response = await verifying.post("/api/auth/verify-email", json={"token": expired})
    assert response.status_code == 422 and "expired" in response.json()["detail"]

    stale = verification.make_verification_token(secret, user_id, "someone-else@example.com", 1)
    response = await verifying.post("/api/auth/verify-email", json={"token": stale})
    assert response.status_code == 422 and "no longer uses" in response.json()["detail"]
    assert (await verifying.get("/api/user/me")).json()["credits"] == 0


async def test_a_session_cookie_is_not_a_verification_token(verifying):
    await signup(verifying)
    cookie = verifying.cookies["ugc_session"]
    response = await verifying.post("/api/auth/verify-email", json={"token": cookie})
    assert response.status_code == 422


async def test_resend_mails_a_new_link_until_verified(verifying, tmp_path):
    email_address = unique_email()
    await signup(verifying, email_address)
    assert (await verifying.post("/api/auth/verify-email/resend")).status_code == 202
    links = _links(tmp_path / "mail", email_address)
    assert len(links) == 2
    assert (await verifying.get(links[1].removeprefix("http://testserver"))).status_code == 200
    done = await verifying.post("/api/auth/verify-email/resend")
    assert done.status_code == 400 and done.json()["error"] == "bad_request"


async def test_a_mail_server_that_is_down_does_not_stop_the_signup(make_client):
    client = await make_client(mail_url="smtp://127.0.0.1:1")
    response = await client.post(
        "/api/auth/signup", json={"email": unique_email(), "password": PASSWORD}
    )
    assert response.status_code == 201

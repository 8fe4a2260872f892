"""Sessions live on the server: sign-out, sign out everywhere and a password change end them."""

from __future__ import annotations

import uuid

import httpx

from tests.support import PASSWORD, signup, unique_email
from ugc.auth.cookies import _b64, _sign
from ugc.auth.sessions import revoke_all_sessions

NEW_PASSWORD = "velvet harbour compass"


def _second_browser(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """Another client of the same app, with a cookie jar of its own."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=client.app), base_url="http://testserver"
    )


async def _login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> int:
    response = await client.post("/api/auth/login", json={"email": email, "password": password})
    return response.status_code


async def test_a_cookie_replayed_after_logout_signs_nobody_in(client):
    await signup(client)
    stolen = client.cookies.get("ugc_session")
    assert (await client.post("/api/auth/logout")).status_code == 204
    client.cookies.set("ugc_session", stolen)
    me = await client.get("/api/user/me")
    assert me.status_code == 401 and me.json()["error"] == "not_authenticated"
    minted = await client.post("/api/auth/tokens", json={"name": "after logout"})
    assert minted.status_code == 401
    assert (await client.get("/account", headers={"Accept": "text/html"})).status_code == 401


async def test_the_sign_out_button_ends_the_session_too(client):
    await signup(client)
    stolen = client.cookies.get("ugc_session")
    response = await client.post("/signout", headers={"Origin": "http://testserver"})
    assert response.status_code == 303
    client.cookies.set("ugc_session", stolen)
    assert (await client.get("/api/user/me")).status_code == 401


async def test_logout_ends_only_this_browser_session(client):
    email = unique_email()
    await signup(client, email)
    async with _second_browser(client) as other:
        assert await _login(other, email) == 200
        assert (await client.post("/api/auth/logout")).status_code == 204
        assert (await other.get("/api/user/me")).status_code == 200


async def test_sign_out_everywhere_ends_every_session_but_keeps_api_tokens(client):
    email = unique_email()
    await signup(client, email)
    secret = (await client.post("/api/auth/tokens", json={"name": "CI"})).json()["secret"]
    async with _second_browser(client) as other:
        assert await _login(other, email) == 200
        response = await other.delete("/api/auth/sessions")
        assert response.status_code == 204
        assert (await other.get("/api/user/me")).status_code == 401
        assert (await client.get("/api/user/me")).status_code == 401
    bearer = {"Authorization": f"Bearer {secret}"}
    assert (await client.get("/api/user/me", headers=bearer)).status_code == 200
    assert await _login(client, email) == 200  # signing in again works


async def test_password_change_needs_the_current_password_and_ends_other_sessions(client):
    email = unique_email()
    await signup(client, email)
    async with _second_browser(client) as other:
        assert await _login(other, email) == 200
        wrong = await client.post(
            "/api/auth/password",
            json={"currentPassword": "not my password", "newPassword": NEW_PASSWORD},
        )
        assert wrong.status_code == 422 and "current password" in wrong.json()["detail"]
        weak = await client.post(
            "/api/auth/password", json={"currentPassword": PASSWORD, "newPassword": "12345678"}
        )
        assert weak.status_code == 422 and "most common" in weak.json()["detail"]
        assert (await other.get("/api/user/me")).status_code == 200  # nothing changed yet

        changed = await client.post(
            "/api/auth/password", json={"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
        )
        assert changed.status_code == 204
        assert (await other.get("/api/user/me")).status_code == 401
        assert (await client.get("/api/user/me")).status_code == 200  # a fresh session here
    client.cookies.clear()
    assert await _login(client, email) == 401
    assert await _login(client, email, NEW_PASSWORD) == 200


async def test_revoke_all_sessions_is_there_for_account_deletion(client):
    user = await signup(client)
    async with client.app.state.db.session() as session:
        assert await revoke_all_sessions(session, uuid.UUID(user["id"])) == 1
        await session.commit()
    assert (await client.get("/api/user/me")).status_code == 401


async def test_a_cookie_signed_in_the_old_stateless_format_is_refused(client):
    user = await signup(client)
    payload = _b64(f'{{"u": "{uuid.UUID(user["id"])}", "e": 4102444800}}'.encode())
    forged = f"{payload}.{_sign('test-secret-key-test-secret-key', payload)}"
    client.cookies.set("ugc_session", forged)
    assert (await client.get("/api/user/me")).status_code == 401

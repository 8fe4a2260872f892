"""Sign-up, sign-in, sessions, API tokens and the CSRF origin check, over HTTP."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD, signup, unique_email


async def test_signup_starts_a_session_with_twenty_credits(client):
    email = unique_email()
    response = await client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()["user"]
    assert body["email"] == email and body["credits"] == 20
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    me = await client.get("/api/user/me")
    assert me.json() == body
    assert (await client.get("/api/user/credits")).json() == {"credits": 20}
    history = (await client.get("/api/user/credits/history")).json()["entries"]
    assert [(e["delta"], e["reason"]) for e in history] == [(20, "signup")]


async def test_signup_refuses_a_taken_email_in_any_case(client):
    email = unique_email()
    await signup(client, email)
    again = await client.post(
        "/api/auth/signup", json={"email": email.upper(), "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["error"] == "email_taken"
    assert "already exists" in again.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"email": "someone@example.com", "password": "short"}, 422),
        ({"email": "not-an-email", "password": PASSWORD}, 422),
        ({"password": PASSWORD}, 422),
    ],
)
async def test_signup_refuses_bad_input(client, body, status):
    response = await client.post("/api/auth/signup", json=body)
    assert response.status_code == status
    assert set(response.json()) == {"error", "detail"}
    assert response.json()["detail"]


async def test_short_password_message_names_the_rule(client):
    response = await client.post(
        "/api/auth/signup", json={"email": unique_email(), "password": "1234567"}
    )
    assert response.status_code == 422
    assert "at least 8 characters" in response.json()["detail"]


async def test_login_and_logout(client):
    email = unique_email()
    await signup(client, email)
    assert (await client.post("/api/auth/logout")).status_code == 204
    client.cookies.clear()
    assert (await client.get("/api/user/me")).status_code == 401
    wrong = await client.post("/api/auth/login", json={"email": email, "password": "wrong-pass"})
    assert wrong.status_code == 401
    unknown = await client.post(
        "/api/auth/login", json={"email": unique_email(), "password": PASSWORD}
    )
    assert unknown.status_code == 401
    ok = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert ok.status_code == 200 and ok.json()["user"]["email"] == email
    assert (await client.get("/api/user/me")).status_code == 200


async def test_tampered_or_expired_cookie_is_refused(client):
    await signup(client)
    value = client.cookies.get("ugc_session")
    client.cookies.set("ugc_session", value[:-2] + ("AA" if value[-2:] != "AA" else "BB"))
    response = await client.get("/api/user/me")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


async def test_login_is_rate_limited_per_account(make_client):
    client = await make_client(login_attempts_per_window=3, login_window_seconds=60)
    email = unique_email()
    await signup(client, email)
    for _ in range(3):
        response = await client.post(
            "/api/auth/login", json={"email": email, "password": "wrong-pass"}
        )
        assert response.status_code == 401
    blocked = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many sign-in attempts" in blocked.json()["detail"]


async def test_password_flow_token_list_and_revoke(client):
    email = unique_email()
    await signup(client, email)
    response = await client.post("/api/auth/token", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and body["access_token"].startswith("ugc_")
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    client.cookies.clear()
    me = await client.get("/api/user/me", headers=bearer)
    assert me.status_code == 200 and me.json()["email"] == email
    tokens = (await client.get("/api/auth/tokens", headers=bearer)).json()["tokens"]
    assert len(tokens) == 1 and "secret" not in tokens[0] and tokens[0]["lastUsedAt"]
    revoke = await client.delete(f"/api/auth/tokens/{tokens[0]['id']}", headers=bearer)
    assert revoke.status_code == 204
    assert (await client.get("/api/user/me", headers=bearer)).status_code == 401


async def test_revoking_an_unknown_token_is_404(client):
    await signup(client)
    response = await client.delete("/api/auth/tokens/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404 and response.json()["error"] == "not_found"


async def test_created_token_secret_is_shown_once(client):
    await signup(client)
    created = await client.post("/api/auth/tokens", json={"name": "CI uploader"})
    assert created.status_code == 201
    secret = created.json()["secret"]
    listed = (await client.get("/api/auth/tokens")).json()["tokens"]
    assert [t["name"] for t in listed] == ["CI uploader"]
    assert secret not in str(listed)


async def test_wrong_password_gets_no_token(client):
    email = unique_email()
    await signup(client, email)
    response = await client.post(
        "/api/auth/token", data={"username": email, "password": "nope1234"}
    )
    assert response.status_code == 401


async def test_cookie_writes_from_another_origin_are_refused(client):
    await signup(client)
    evil = {"Origin": "https://evil.example"}
    response = await client.post("/api/auth/tokens", json={"name": "x"}, headers=evil)
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    cross_site = {"Sec-Fetch-Site": "cross-site"}
    assert (await client.post("/api/auth/tokens", json={}, headers=cross_site)).status_code == 403
    same = {"Origin": "http://testserver"}
    assert (await client.post("/api/auth/tokens", json={}, headers=same)).status_code == 201
    # Reads from another origin are harmless and allowed.
    assert (await client.get("/api/user/me", headers=evil)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/user/me"),
        ("GET", "/api/user/credits"),
        ("GET", "/api/user/credits/history"),
        ("GET", "/api/user/projects"),
        ("GET", "/api/user/projects/00000000-0000-0000-0000-000000000000"),
        ("GET", "/api/user/projects/00000000-0000-0000-0000-000000000000/events"),
        ("POST", "/api/project/create"),
        ("POST", "/api/project/video"),
        ("POST", "/api/project/publish"),
        ("DELETE", "/api/project/00000000-0000-0000-0000-000000000000"),
        ("GET", "/api/auth/tokens"),
    ],
)
async def test_unauthenticated_requests_get_401(client, method, path):
    response = await client.request(method, path)
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"

"""Clerk/OIDC bearer tokens verified against a JWKS served on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://clerk.test.example"
PARTY = "https://app.example"


class _Keys:
    def __init__(self) -> None:
        self.signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.signing.public_key()))
        return {"keys": [{**public, "kid": "test-key", "use": "sig", "alg": "RS256"}]}


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[tuple[str, _Keys]]:
    """A JWKS endpoint like Clerk's /.well-known/jwks.json."""
    keys = _Keys()
    body = json.dumps(keys.jwks()).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", keys
    server.shutdown()


def _token(keys: _Keys, *, key: Any = None, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": ISSUER,
        "sub": "user_2abc",
        "azp": PARTY,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 300,
        "email": "clerk-user@example.com",
    }
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key or keys.signing, algorithm="RS256", headers={"kid": "test-key"})


@pytest.fixture
async def oidc_client(make_client, jwks_server):
    url, keys = jwks_server
    client = await make_client(
        oidc_issuer=ISSUER, oidc_jwks_url=url, oidc_authorized_parties=(PARTY,)
    )
    return client, keys


async def test_first_sight_of_a_subject_creates_the_user_with_signup_credits(oidc_client):
    client, keys = oidc_client
    headers = {"Authorization": f"Bearer {_token(keys)}"}
    me = await client.get("/api/user/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["credits"] == 20 and me.json()["email"] == "clerk-user@example.com"
    again = await client.get("/api/user/me", headers={"Authorization": f"Bearer {_token(keys)}"})
    assert again.json()["id"] == me.json()["id"]
    history = (await client.get("/api/user/credits/history", headers=headers)).json()
    assert [e["reason"] for e in history["entries"]] == ["signup"]


@pytest.mark.parametrize(
    ("case", "claims"),
    [
        ("wrong issuer", {"iss": "https://evil.example"}),
        ("wrong party", {"azp": "https://evil.example"}),
        ("no party", {"azp": None}),
        ("expired", {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}),
        ("not yet valid", {"nbf": int(time.time()) + 3600}),
        ("no subject", {"sub": None}),
    ],
)
async def test_bad_claims_are_refused(oidc_client, case, claims):
    client, keys = oidc_client
    response = await client.get(
        "/api/user/me", headers={"Authorization": f"Bearer {_token(keys, **claims)}"}
    )
    assert response.status_code == 401, case
    assert response.json()["error"] == "not_authenticated"


async def test_wrong_signature_is_refused(oidc_client):
    client, keys = oidc_client
    forged = _token(keys, key=keys.stranger)
    response = await client.get("/api/user/me", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401


async def test_unsigned_token_is_refused(oidc_client):
    client, _ = oidc_client
    token = jwt.encode({"iss": ISSUER, "sub": "x", "exp": int(time.time()) + 60}, None, "none")
    response = await client.get("/api/user/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_jwts_are_refused_when_oidc_is_not_configured(client, jwks_server):
    _, keys = jwks_server
    response = await client.get("/api/user/me", headers={"Authorization": f"Bearer {_token(keys)}"})
    assert response.status_code == 401


async def test_first_sight_on_a_read_route_creates_the_user(oidc_client):
    client, keys = oidc_client
    headers = {"Authorization": f"Bearer {_token(keys, sub='user_read_first')}"}
    balance = await client.get("/api/user/credits", headers=headers)
    assert balance.status_code == 200 and balance.json() == {"credits": 20}
    listed = await client.get("/api/user/projects", headers=headers)
    assert listed.status_code == 200 and listed.json()["projects"] == []
    history = (await client.get("/api/user/credits/history", headers=headers)).json()
    assert [e["reason"] for e in history["entries"]] == ["signup"]

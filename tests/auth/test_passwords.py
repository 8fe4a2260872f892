"""New passwords: blank, repeated and the most common ones are refused with a clear message."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD, unique_email
from ugc.auth.passwords import common_passwords


def test_the_bundled_list_holds_thousands_of_common_passwords():
    words = common_passwords()
    assert 3000 < len(words) < 20000
    for known in ("12345678", "password", "password1", "qwertyuiop", "iloveyou", "1q2w3e4r"):
        assert known in words
    assert PASSWORD not in words
    assert all(len(word) >= 8 and word == word.lower() for word in words)


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("        ", "only spaces"),
        (" \t  \t   ", "only spaces"),
        ("aaaaaaaaaa", "repeated"),
        ("12345678", "most common"),
        ("Password1", "most common"),
        ("QWERTY123", "most common"),
        ("iloveyou2024", "most common"),
    ],
)
async def test_signup_refuses_weak_passwords(client, password, says):
    response = await client.post(
        "/api/auth/signup", json={"email": unique_email(), "password": password}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_input"
    assert says in response.json()["detail"]
    assert (await client.get("/api/user/me")).status_code == 401


async def test_the_email_name_is_not_a_password(client):
    email = unique_email("gardener")
    local = email.partition("@")[0]
    response = await client.post("/api/auth/signup", json={"email": email, "password": local})
    assert response.status_code == 422 and "most common" in response.json()["detail"]


async def test_an_uncommon_passphrase_is_accepted(client):
    response = await client.post(
        "/api/auth/signup", json={"email": unique_email(), "password": "lantern orbit pickle"}
    )
    assert response.status_code == 201

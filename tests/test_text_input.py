"""Control characters in text fields: the same 422 on SQLite and PostgreSQL, nothing stored."""

from __future__ import annotations

import pytest

from tests.support import PASSWORD, create_project, signup, unique_email
from ugc.text import check_text, first_control_character

BAD = ["\x00", "\x1b", "\x7f", "\x85", "\ud800"]


@pytest.mark.parametrize(
    "field", ["productName", "name", "productDescription", "userPrompt", "aspectRatio"]
)
async def test_a_control_character_in_the_brief_is_refused(client, field):
    await signup(client)
    for char in ("\x00", "\x1b"):
        response = await create_project(client, **{field: f"Aqua{char}Bottle"})
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_input"
        assert "control character" in response.json()["detail"]
    assert (await client.get("/api/user/credits")).json() == {"credits": 20}
    assert (await client.get("/api/user/projects")).json()["projects"] == []


async def test_line_breaks_and_tabs_are_fine_in_long_text(client):
    await signup(client)
    response = await create_project(
        client, productDescription="Line one\r\nLine two\tTabbed", userPrompt="a\nb"
    )
    assert response.status_code == 201, response.text


async def test_a_control_character_in_a_token_name_is_refused(client):
    await signup(client)
    response = await client.post("/api/auth/tokens", json={"name": "ci\x00bot"})
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_input"
    assert (await client.get("/api/auth/tokens")).json()["tokens"] == []


async def test_a_control_character_in_an_email_is_refused(client):
    for email in (f"a\x00{unique_email()}", unique_email() + "\x00"):
        response = await client.post(
            "/api/auth/signup", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_input"
        response = await client.post("/api/auth/login", json={"email": email, "password": PASSWORD})
        assert response.status_code == 422


async def test_a_control_character_in_the_token_form_is_refused(client):
    user_email = unique_email()
    await signup(client, user_email)
    for form in (
        {"username": f"{user_email}\x00", "password": PASSWORD},
        {"username": user_email, "password": PASSWORD, "client_id": "bot\x00"},
    ):
        response = await client.post("/api/auth/token", data=form)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "invalid_input"


def test_every_refused_character_is_named():
    for char in BAD:
        assert first_control_character(f"ok{char}ok") == char
        with pytest.raises(Exception, match=f"U\\+{ord(char):04X}"):
            check_text("name", f"ok{char}")
    assert first_control_character("tab\tnew\nline\r", multiline=True) is None
    assert first_control_character("tab\t") == "\t"
    assert first_control_character("émoji 👍 ünïcode") is None

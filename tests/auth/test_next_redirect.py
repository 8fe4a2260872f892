"""After signing in, the browser only ever continues to a path on this site."""

from __future__ import annotations

import pytest

from tests.support import signup
from ugc.web.guards import safe_next

LEAVING = [
    "/\\evil.example/phish",
    "/%5Cevil.example/phish",  # already-decoded forms arrive as backslashes; this stays a path
    "\\\\evil.example",
    "//evil.example/phish",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.mark.parametrize("target", LEAVING)
def test_safe_next_keeps_only_paths_of_this_site(target):
    result = safe_next(target)
    assert result.startswith("/") and not result.startswith(("//", "/\\"))
    assert "\\" not in result and "\t" not in result and "\n" not in result
    assert result in ("/generate", target)


@pytest.mark.parametrize("target", ["/result/abc?x=1", "/my-generations", "/account#tokens"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target) == target


async def test_signin_page_does_not_hand_a_backslash_path_to_the_script(client):
    page = await client.get("/signin?next=/%5Cevil.example/phish")
    assert page.status_code == 200
    assert 'data-next="/generate"' in page.text
    assert "evil.example" not in page.text


async def test_a_signed_in_visit_redirects_only_on_this_site(client):
    await signup(client)
    response = await client.get("/signin?next=/%5Cevil.example/phish")
    assert response.status_code == 303 and response.headers["location"] == "/generate"
    response = await client.get("/signup?next=/%09/evil.example")
    assert response.headers["location"] == "/generate"

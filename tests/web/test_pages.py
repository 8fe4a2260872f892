"""Pages over HTTP (no browser): status codes, redirects, error pages, assets, examples."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import create_async_engine

from tests.support import create_project, signup, wait_for_project
from ugc.projects.models import Project
from ugc.web.assets import page_css, page_parts

HTML = {"Accept": "text/html"}


async def test_public_pages_render(client):
    for path, text in [
        ("/", "Turn two photos"),
        ("/signup", "Create your account"),
        ("/signin", "Welcome back"),
        ("/community", "Community"),
        ("/plans", "ugc credits grant"),
    ]:
        response = await client.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert text in response.text, path
        # Styles are inline (nothing blocks the first paint) and only the page's own.
        assert '<link rel="stylesheet"' not in response.text, path
        assert "--text-sm:" in response.text and ".btn {" in response.text, path
        assert ".pcard {" not in response.text or path == "/community", path


def test_page_stylesheets_are_checked():
    assert {"landing", "gallery", "result"} <= page_parts()
    assert ".hero {" in page_css("landing") and ".hero {" not in page_css("result")
    with pytest.raises(ValueError, match="no page stylesheet"):
        page_css("landing", "nope")


async def test_private_pages_ask_to_sign_in(client):
    for path in ("/generate", "/my-generations", "/account", f"/result/{uuid.uuid4()}"):
        response = await client.get(path, headers=HTML)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/signin?next=/")


async def test_a_stale_cookie_gets_the_expired_session_page(client):
    client.cookies.set("ugc_session", "not-a-valid-session")
    response = await client.get("/my-generations", headers=HTML)
    assert response.status_code == 401
    assert "Your session has expired" in response.text
    assert "/signin?expired=1&amp;next=/my-generations" in response.text


async def test_unknown_pages_are_friendly_and_the_api_stays_json(client):
    page = await client.get("/nowhere", headers=HTML)
    assert page.status_code == 404
    assert "We can" in page.text and "<html" in page.text
    api = await client.get("/api/user/projects/nope", headers=HTML)
    assert api.headers["content-type"].startswith("application/json")


async def test_signed_in_pages_show_the_balance_and_projects(client):
    await signup(client)
    response = await create_project(client, productName="Fizz Can")
    project_id = response.json()["projectId"]
    await wait_for_project(client, project_id)
    for path, text in [
        ("/generate", "Generate image"),
        ("/my-generations", "Fizz Can"),
        ("/account", "Welcome credits"),
        (f"/result/{project_id}", "Generated ad image for Fizz Can"),
    ]:
        response = await client.get(path, headers=HTML)
        assert response.status_code == 200, path
        assert text in response.text, path
        assert "15 credits" in response.text, path
    partial = await client.get("/my-generations?partial=cards", headers=HTML)
    assert partial.text.lstrip().startswith("<article") and "<html" not in partial.text
    download = await client.get(f"/result/{project_id}/download/image")
    assert download.status_code == 303
    assert "/media/" in download.headers["location"]
    other = await client.get(f"/result/{uuid.uuid4()}", headers=HTML)
    assert other.status_code == 404


async def test_signin_redirects_only_to_local_paths(client):
    await signup(client)
    inside = await client.get("/signin?next=/account")
    assert inside.headers["location"] == "/account"
    outside = await client.get("/signin?next=https://evil.example/")
    assert outside.headers["location"] == "/generate"


async def test_sign_out_form_refuses_other_sites(client):
    await signup(client)
    refused = await client.post("/signout", headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    done = await client.post("/signout")
    assert done.status_code == 303
    assert (await client.get("/api/user/me")).status_code == 401


async def test_example_images(client):
    for name in ("person", "product", "ad"):
        image = await client.get(f"/examples/{name}.webp")
        assert image.status_code == 200, name
        assert image.content[:4] == b"RIFF"
    assert (await client.get("/examples/other.webp")).status_code == 404


async def test_a_published_ad_has_a_public_page_with_link_previews(client):
    owner = await signup(client)
    response = await create_project(
        client, productName="Fizz Can", userPrompt="Summer picnic energy", name="Picnic ad"
    )
    project_id = response.json()["projectId"]
    await wait_for_project(client, project_id)
    # Not published yet: the page does not exist, even for its owner.
    hidden = await client.get(f"/ads/{project_id}", headers=HTML)
    assert hidden.status_code == 404 and "<html" in hidden.text
    published = await client.post(
        "/api/project/publish", json={"projectId": project_id, "isPublished": True}
    )
    assert published.status_code == 200

    client.cookies.clear()  # anyone with the link, signed in or not
    page = await client.get(f"/ads/{project_id}", headers=HTML)
    assert page.status_code == 200
    html = page.text
    base = str(client.base_url).rstrip("/")
    image = f"{base}/media/published/{project_id}/image.png"
    assert f'<meta property="og:image" content="{image}">' in html
    assert f'<link rel="canonical" href="{base}/ads/{project_id}">' in html
    assert '<meta property="og:title" content="Picnic ad">' in html
    assert "Summer picnic energy" in html and "Fizz Can" in html
    assert 'alt="Generated ad for Fizz Can"' in html
    assert "og:video" not in html  # no video made
    assert owner["email"] not in html
    assert "/uploads/" not in html  # the input photos stay private
    assert "Start free with 20 credits" in html
    community = await client.get("/community", headers=HTML)
    assert f'href="/ads/{project_id}"' in community.text

    assert (await client.get(f"/ads/{uuid.uuid4()}", headers=HTML)).status_code == 404
    assert (await client.get("/ads/not-an-id", headers=HTML)).status_code in (404, 422)


async def test_public_ad_links_use_the_public_url_behind_a_proxy(make_client):
    client = await make_client(public_url="https://ads.example.com/")
    await signup(client)
    project_id = (await create_project(client, productName="Fizz Can")).json()["projectId"]
    await wait_for_project(client, project_id)
    await client.post("/api/project/publish", json={"projectId": project_id, "isPublished": True})

    html = (await client.get(f"/ads/{project_id}", headers=HTML)).text

    image = f"https://ads.example.com/media/published/{project_id}/image.png"
    assert f'<meta property="og:image" content="{image}">' in html
    assert f'<link rel="canonical" href="https://ads.example.com/ads/{project_id}">' in html


async def test_a_published_project_without_an_image_has_no_public_page(client, database_url):
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    await wait_for_project(client, project_id)
    await client.post("/api/project/publish", json={"projectId": project_id, "isPublished": True})
    assert (await client.get(f"/ads/{project_id}", headers=HTML)).status_code == 200
    engine = create_async_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(update(Project).values(generated_image=None))
    await engine.dispose()

    assert (await client.get(f"/ads/{project_id}", headers=HTML)).status_code == 404

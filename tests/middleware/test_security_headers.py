"""Security headers on pages, API answers and stored media."""

from __future__ import annotations

import re

from tests.support import create_project, signup, wait_for_project
from ugc.config import load_settings
from ugc.middleware.headers import page_policy, safe_disposition, storage_origins


async def test_pages_get_a_policy_with_a_fresh_nonce_that_their_css_carries(client):
    first = await client.get("/plans")
    second = await client.get("/plans")
    policy = first.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'<style nonce="{nonce}">' in first.text
    assert nonce not in second.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert " style=" not in first.text  # style attributes would be refused
    for response in (first, await client.get("/api/project/published")):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


async def test_edge_refusals_carry_the_headers_too(client):
    response = await client.post("/api/project/create", content=b"x" * 10, headers={})
    assert response.status_code == 401
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_stored_media_is_sandboxed_and_not_sniffed(client):
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    project = await wait_for_project(client, project_id)
    for field in ("generatedImage", "userImage"):
        response = await client.get(project[field])
        assert response.status_code == 200
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"].endswith("sandbox")
        assert response.headers["content-disposition"].startswith("inline")
    download = await client.get(f"/result/{project_id}/download/image")
    assert download.status_code == 303
    attachment = await client.get(download.headers["location"])
    assert attachment.headers["content-disposition"].startswith("attachment")


def test_a_file_of_another_type_is_only_ever_an_attachment():
    headers = [(b"content-type", b"text/html"), (b"content-disposition", b"inline")]
    assert safe_disposition(headers) == [
        (b"content-type", b"text/html"),
        (b"content-disposition", b"attachment"),
    ]
    image = [(b"content-type", b"image/png"), (b"content-disposition", b"inline")]
    assert safe_disposition(image) == image


def test_media_from_an_s3_endpoint_over_http_is_allowed_by_origin():
    s3 = load_settings(storage_url="s3://bucket/prefix", secret_key="x" * 32)
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9000/"}
    assert storage_origins(s3, env) == ["http://127.0.0.1:9000"]
    assert storage_origins(s3, {"AWS_ENDPOINT_URL": "https://s3.example.com"}) == []
    assert "img-src 'self' blob: https: http://127.0.0.1:9000 data:" in page_policy(
        "n", ["http://127.0.0.1:9000"]
    )

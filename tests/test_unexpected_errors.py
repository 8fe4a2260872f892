"""No input gets a 500, and anything unexpected still answers in the error shape."""

from __future__ import annotations

import base64
import logging
import uuid

import httpx
import pytest

from tests.support import signup

CURSOR_ROUTES = [
    "/api/user/projects",
    "/api/project/published",
    "/api/user/credits/history",
    "/my-generations",
    "/community",
]


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


CRAFTED = [
    _cursor(f"0001-01-01T00:00:00+14:00|{uuid.uuid4()}"),
    _cursor(f"9999-12-31T23:59:59-14:00|{uuid.uuid4()}"),
    "not a cursor at all",
    _cursor("2026-01-01T00:00:00|not-a-uuid"),
    "QUJD" * 5000,
    "\u00e9\u00e9",
]


@pytest.mark.parametrize("route", CURSOR_ROUTES)
async def test_a_crafted_cursor_is_a_422_in_the_error_shape(client, route):
    await signup(client)
    for cursor in CRAFTED:
        response = await client.get(route, params={"cursor": cursor})
        assert response.status_code == 422, (cursor[:40], response.text[:200])
        assert response.json()["error"] == "invalid_input"
        assert isinstance(response.json()["detail"], str)


async def test_an_unexpected_error_is_logged_and_answered_as_json(make_client, caplog):
    client = await make_client()
    app = client.app

    @app.get("/api/user/projects/{project_id}/explode")
    async def explode(project_id: uuid.UUID) -> None:
        raise RuntimeError("the disk caught fire")

    project_id = uuid.uuid4()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as raw:
        with caplog.at_level(logging.ERROR, logger="ugc.app"):
            response = await raw.get(f"/api/user/projects/{project_id}/explode")
    assert response.status_code == 500
    assert response.json() == {
        "error": "internal_error",
        "detail": "Something went wrong on our side.",
    }
    assert "the disk caught fire" not in response.text
    record = next(r for r in caplog.records if r.getMessage().startswith("unexpected error"))
    assert record.path == f"/api/user/projects/{project_id}/explode"
    assert record.project_id == str(project_id)
    assert record.exc_info is not None

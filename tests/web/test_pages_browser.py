"""Error pages, reading with JavaScript off, and dark mode.

Time to first paint is a benchmark: bench/bench_pages.py.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.web.conftest import VIEWPORTS
from tests.web.helpers import api_create_ready_project, api_signup, wait_for_images

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_not_found_and_expired_session_pages(server, visit, shoot, viewport):
    view = visit(server.url, viewport)
    page = view.page
    api_signup(view.context, server.url)
    response = page.goto(f"/result/{uuid.uuid4()}")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    expect(page.locator("[data-credits]")).to_contain_text("credits")
    shoot(page, f"not-found-{viewport}")

    view.context.clear_cookies()
    view.context.add_cookies([{"name": "ugc_session", "value": "expired.x", "url": server.url}])
    response = page.goto("/my-generations")
    assert response is not None and response.status == 401
    expect(page.get_by_role("heading", level=1)).to_have_text("Your session has expired")
    shoot(page, f"expired-{viewport}")
    page.get_by_role("link", name="Sign in again").click()
    expect(page.get_by_text("Your session has expired. Sign in again")).to_be_visible()
    assert "next=/my-generations" in page.url
    assert view.js_errors(allow_status=(401, 404)) == []


def test_pages_read_well_without_javascript(server, browser, photos):
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    try:
        api_signup(context, server.url)
        project_id = api_create_ready_project(context, server.url, photos, "Quiet Reader")
        page = context.new_page()
        page.goto(f"/result/{project_id}")
        expect(page.get_by_role("img", name="Generated ad image for Quiet Reader")).to_be_visible()
        expect(page.get_by_role("link", name="Download image")).to_be_visible()
        expect(page.locator("[data-credits]")).to_have_text("15 credits")
        page.goto("/my-generations")
        expect(page.get_by_role("link", name="Quiet Reader", exact=True)).to_be_visible()
        for path, heading in [("/", "UGC ad"), ("/plans", "Credits"), ("/community", "Community")]:
            page.goto(path)
            expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_dark_mode_pages(server, browser, photos, shoot, viewport):
    context = browser.new_context(base_url=server.url, color_scheme="dark", **VIEWPORTS[viewport])
    try:
        api_signup(context, server.url)
        project_id = api_create_ready_project(context, server.url, photos, "Night Owl")
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        for name, path in [
            ("landing", "/"),
            ("generate", "/generate"),
            ("result", f"/result/{project_id}"),
            ("my-generations", "/my-generations"),
        ]:
            page.goto(path)
            wait_for_images(page)
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert background == "rgb(14, 14, 17)", (path, background)
            shoot(page, f"dark-{name}-{viewport}")
        assert errors == []
    finally:
        context.close()

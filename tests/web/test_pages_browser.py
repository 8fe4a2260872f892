"""Error pages, reading with JavaScript off, and time to first paint of every page."""

from __future__ import annotations

import statistics
import uuid

import pytest
from playwright.sync_api import expect

from tests.web.conftest import SCREENSHOTS, VIEWPORTS
from tests.web.helpers import api_create_ready_project, api_signup, wait_for_images, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PUBLIC_PAGES = ["/", "/signup", "/signin", "/community", "/plans", "/no-such-page"]
PRIVATE_PAGES = ["/generate", "/my-generations", "/account", "/result/{id}"]
RUNS = 5
# A page may take this much longer than the browser needs to paint a bare document here
# (60-110 ms in this headless, software-rendering Chromium): the product target is 200 ms in
# all, and a page that blocks on a stylesheet, fonts or scripts would take longer than this.
OVER_FLOOR_BUDGET_MS = 200


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


def _first_paint(browser, base_url, path, cookies, viewport):
    """First contentful paint (ms) of `path` in a fresh context: an empty cache."""
    context = browser.new_context(base_url=base_url, **VIEWPORTS[viewport])
    try:
        if cookies:
            context.add_cookies(cookies)
        page = context.new_page()
        page.goto(path, wait_until="load")
        wait_until(page, "performance.getEntriesByType('paint').length > 0")
        entries = page.evaluate(
            "Object.fromEntries(performance.getEntriesByType('paint')"
            ".map(e => [e.name, e.startTime]))"
        )
        return float(entries.get("first-contentful-paint", entries.get("first-paint")))
    finally:
        context.close()


def test_first_paint_is_fast_on_every_page(server, browser, photos):
    setup = browser.new_context(base_url=server.url)
    api_signup(setup, server.url)
    project_id = api_create_ready_project(setup, server.url, photos, "Speedy")
    cookies = setup.cookies()
    setup.close()

    def best_of(path: str, jar: list, viewport: str) -> tuple[float, float]:
        # Several cold loads: scheduling noise on a shared machine is not the page's cost.
        samples = [_first_paint(browser, server.url, path, jar, viewport) for _ in range(RUNS)]
        return min(samples), statistics.median(samples)

    # The browser's own floor on this machine: a bare JSON document.
    floor = best_of("/healthz", [], "desktop")[0]
    rows = []
    for viewport in ("desktop", "phone"):
        for path in PUBLIC_PAGES + PRIVATE_PAGES:
            jar = cookies if path in PRIVATE_PAGES else []
            best, median = best_of(path.format(id=project_id), jar, viewport)
            rows.append((viewport, path, best, median))
    lines = [f"{'viewport':<8} {'page':<16} {'best ms':>8} {'median ms':>10}"]
    lines += [f"{v:<8} {p:<16} {best:>8.0f} {median:>10.0f}" for v, p, best, median in rows]
    lines.append(f"(empty cache, best and median of {RUNS}; bare JSON floor {floor:.0f} ms)")
    table = "\n".join(lines)
    print("\nTime to first contentful paint\n" + table)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "first-paint.txt").write_text(table + "\n")
    # Relative to the floor measured in this run, so a busy machine stretches both alike.
    budget = floor + OVER_FLOOR_BUDGET_MS
    slow = [row for row in rows if row[2] > budget]
    assert not slow, f"pages over {budget:.0f} ms:\n{table}"


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

"""Billing fixtures: a live `ugc serve` taking payments through the fake Stripe, a browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.fakes.stripe_server import FakeStripe
from tests.live_server import LiveServer
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS, Visit, server_settings


@pytest.fixture(scope="module")
def paying_server(
    tmp_path_factory: pytest.TempPathFactory, fake_stripe_server: FakeStripe
) -> Iterator[LiveServer]:
    """A server (SQLite, local files) whose payments go to the fake Stripe."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("paying")
    settings = server_settings(folder, **fake_stripe_server.settings_overrides())
    with LiveServer(settings, folder / "server.log") as server:
        # Make the landing page's example now: pages then load in page time, not engine time.
        httpx.get(f"{server.url}/examples/ad.webp", timeout=120).raise_for_status()
        yield server


@pytest.fixture(scope="module")
def billing_browser(paying_server: LiveServer) -> Iterator[object]:
    """Debian's Chromium, headless, for this module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture
def visit(billing_browser: object) -> Iterator[Callable[..., Visit]]:
    """Open pages in fresh contexts that record JavaScript errors."""
    opened: list[Visit] = []

    def open_visit(base_url: str, viewport: str = "desktop") -> Visit:
        item = Visit(billing_browser, base_url, viewport)
        opened.append(item)
        return item

    yield open_visit
    for item in opened:
        item.context.close()

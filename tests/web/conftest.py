"""Browser fixtures: real `ugc serve` processes on free ports and one shared Chromium.

Browser tests run on SQLite only (each server gets its own database file and media
folder under a temporary directory) and live in one xdist group, so they share a browser.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_server import LiveServer
from tests.support import app_settings, person_photo, product_photo
from ugc.config import Settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def server_settings(folder: Path, **overrides: Any) -> Settings:
    """A server of its own: SQLite file, media folder and data dir under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "reconcile_interval_seconds": 1,
        "login_attempts_per_window": 1000,
        # The webhook tests' receiver listens on 127.0.0.1 over plain HTTP.
        "webhook_allow_private": True,
        "webhook_allow_http": True,
        "webhook_poll_seconds": 0.2,
    }
    return app_settings(folder, **(values | overrides))


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, LiveServer]]:
    """Two servers: default credits, and too few for an image."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    base = tmp_path_factory.mktemp("servers")
    with contextlib.ExitStack() as stack:
        started = {
            "default": LiveServer(server_settings(base / "default"), base / "default.log"),
            "poor": LiveServer(server_settings(base / "poor", signup_credits=4), base / "poor.log"),
        }
        for server in started.values():
            stack.enter_context(server)
            # Make the landing example now, so page timings measure pages, not the engine.
            httpx.get(f"{server.url}/examples/ad.webp", timeout=60).raise_for_status()
        yield started


@pytest.fixture(scope="session")
def server(servers: dict[str, LiveServer]) -> LiveServer:
    """The server with default settings (20 signup credits)."""
    return servers["default"]


# Module scope, not session: the sync Playwright API keeps an event loop running on the
# main thread while it is started, and pytest-asyncio tests scheduled on the same xdist
# worker (between our modules) need that thread free.
@pytest.fixture(scope="module")
def browser(servers: dict[str, LiveServer]) -> Iterator[object]:
    """One headless Debian Chromium shared by the browser tests of a module."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Upload files: the packaged photos and the bad ones of the error paths."""
    import io

    import numpy as np
    from PIL import Image

    folder = tmp_path_factory.mktemp("photos")
    files = {
        "person": ("person.jpg", person_photo()),
        "product": ("product.png", product_photo()),
        "text": ("notes.txt", b"these are notes, not a photo\n" * 40),
        "renamed": ("holiday.jpg", b"this is text pretending to be a JPEG\n" * 40),
    }
    noise = np.random.default_rng(1).integers(0, 256, (1500, 1500, 3), dtype=np.uint8)
    big = io.BytesIO()
    Image.fromarray(noise).save(big, format="PNG", compress_level=0)
    assert big.tell() > 6 * 1024 * 1024
    files["huge"] = ("huge.png", big.getvalue())
    # Passes every upload check, but the engine finds nothing to place: a real failure.
    blank = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    blank.putpixel((300, 300), (255, 0, 0, 255))
    empty = io.BytesIO()
    blank.save(empty, format="PNG")
    files["transparent"] = ("transparent.png", empty.getvalue())
    paths = {}
    for key, (name, data) in files.items():
        path = folder / name
        path.write_bytes(data)
        paths[key] = path
    return paths


@pytest.fixture(scope="session")
def shoot() -> Callable[[object, str], None]:
    """Save a full-page screenshot to var/screenshots/{name}.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: object, name: str) -> None:
        page.evaluate("window.scrollTo(0, 0)")  # type: ignore[attr-defined]
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]

    return take


class Visit:
    """A fresh browser context (empty cache) and page that records JavaScript errors."""

    def __init__(self, browser: object, base_url: str, viewport: str) -> None:
        self.viewport = viewport
        self.context = browser.new_context(base_url=base_url, **VIEWPORTS[viewport])  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _console(self, message: object) -> None:
        if message.type == "error":  # type: ignore[attr-defined]
            self.errors.append(f"console: {message.text} at {self.page.url}")  # type: ignore[attr-defined]

    def js_errors(self, allow_status: tuple[int, ...] = ()) -> list[str]:
        """Errors seen so far, minus network answers the test expects (e.g. 402, 404)."""
        allowed = tuple(f"status of {status} " for status in allow_status)
        return [e for e in self.errors if not any(a in e for a in allowed)]


@pytest.fixture
def visit(browser: object) -> Iterator[Callable[..., Visit]]:
    """Open pages at a viewport; every context is closed at teardown."""
    opened: list[Visit] = []

    def open_visit(base_url: str, viewport: str = "desktop") -> Visit:
        item = Visit(browser, base_url, viewport)
        opened.append(item)
        return item

    yield open_visit
    for item in opened:
        item.context.close()

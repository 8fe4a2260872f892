"""Pytest fixtures for the fake Gemini/Omni and Cloudinary servers.

Usage from any conftest.py (the repository root must be importable, e.g. pytest's
`pythonpath = ["."]` or a sys.path insert in the conftest):

    pytest_plugins = ["tests.fakes.fixtures"]      # in the root conftest, or
    from tests.fakes.fixtures import fake_gemini, fake_gemini_server  # noqa: F401

Each server starts once per test session; the function-scoped fixtures (`fake_gemini`,
`fake_cloudinary`) reset recorded requests and scripted behaviour before every test.

    def test_rate_limited(fake_gemini):
        fake_gemini.script(image=[rate_limited("3s")])          # then unscripted calls succeed
        settings = load_settings(image_engine="gemini", **fake_gemini.settings_overrides())
        ...
        assert fake_gemini.image_requests[0].headers["x-goog-api-key"] == fake_gemini.api_key

    def test_upload(fake_cloudinary):
        storage_url = fake_cloudinary.storage_url   # cloudinary://KEY:SECRET@CLOUD?upload_prefix=...
        ...
        assert "images/abc" in fake_cloudinary.objects_by_public_id

For end-to-end tests set the environment from `fake_gemini.env()` / `fake_cloudinary.env()`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.cloudinary_server import FakeCloudinary
from tests.fakes.gemini_server import FakeGemini
from tests.fakes.stripe_server import FakeStripe


@pytest.fixture(scope="session")
def fake_gemini_server() -> Iterator[FakeGemini]:
    """One fake Gemini/Omni server for the whole session."""
    with FakeGemini() as server:
        assert isinstance(server, FakeGemini)
        yield server


@pytest.fixture
def fake_gemini(fake_gemini_server: FakeGemini) -> Iterator[FakeGemini]:
    """The session's fake Gemini server, reset for this test."""
    fake_gemini_server.reset()
    yield fake_gemini_server
    fake_gemini_server.reset()


@pytest.fixture(scope="session")
def fake_cloudinary_server() -> Iterator[FakeCloudinary]:
    """One fake Cloudinary server for the whole session."""
    with FakeCloudinary() as server:
        assert isinstance(server, FakeCloudinary)
        yield server


@pytest.fixture
def fake_cloudinary(fake_cloudinary_server: FakeCloudinary) -> Iterator[FakeCloudinary]:
    """The session's fake Cloudinary server, emptied for this test."""
    fake_cloudinary_server.reset()
    yield fake_cloudinary_server
    fake_cloudinary_server.reset()


@pytest.fixture(scope="session")
def fake_stripe_server() -> Iterator[FakeStripe]:
    """One fake Stripe API for the whole session."""
    with FakeStripe() as server:
        assert isinstance(server, FakeStripe)
        yield server


@pytest.fixture
def fake_stripe(fake_stripe_server: FakeStripe) -> Iterator[FakeStripe]:
    """The session's fake Stripe, with no sessions or deliveries, for this test."""
    fake_stripe_server.reset()
    yield fake_stripe_server
    fake_stripe_server.reset()

"""Fixtures for the Google engine tests: the fake Gemini server and settings pointing at it."""

from __future__ import annotations

import pytest

from tests.fakes.fixtures import fake_gemini, fake_gemini_server
from tests.fakes.gemini_server import FakeGemini
from ugc.config import Settings, load_settings

__all__ = ["fake_gemini", "fake_gemini_server"]


@pytest.fixture
def google_settings(fake_gemini: FakeGemini) -> Settings:
    """Settings for the gemini/omni engines against the fake, with tiny poll intervals."""
    return load_settings(
        image_engine="gemini",
        video_engine="omni",
        gemini_timeout_seconds=5,
        omni_poll_seconds=0.01,
        omni_timeout_seconds=5,
        **fake_gemini.settings_overrides(),
    )


class ProgressLog:
    """A ProgressFn that remembers every report."""

    def __init__(self) -> None:
        self.reports: list[tuple[str, float]] = []

    def __call__(self, stage: str, fraction: float) -> None:
        self.reports.append((stage, fraction))


@pytest.fixture
def progress() -> ProgressLog:
    """A recording progress callback."""
    return ProgressLog()

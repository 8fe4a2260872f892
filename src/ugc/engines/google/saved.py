"""What a video job keeps of its paid Google operation, and how waiting on it reads."""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass

TYPICAL_SECONDS = 90.0  # shapes the progress curve while the service gives no progress


@dataclass(frozen=True, slots=True)
class SavedInteraction:
    """A job's Omni interaction: its id, and when it started (wall clock).

    Stored with the job as soon as create returns, so that a retry or another worker polls
    the same interaction instead of paying for a second video, and so that the time limit
    bounds the whole video across retries and restarts, not each attempt.
    """

    id: str
    started_at: float

    def dumps(self) -> str:
        """The checkpoint text stored with the job."""
        return json.dumps({"interaction": self.id, "startedAt": self.started_at})

    @classmethod
    def loads(cls, text: str) -> SavedInteraction | None:
        """Read a checkpoint; None when it is not an interaction's (e.g. left by another engine)."""
        try:
            data = json.loads(text)
            interaction, started_at = str(data["interaction"]), float(data["startedAt"])
        except (ValueError, KeyError, TypeError):
            return None
        # A damaged start time (NaN, infinity) must not lift the limit: count from now.
        return cls(interaction, started_at if math.isfinite(started_at) else time.time())


def seconds_text(seconds: float) -> str:
    """A duration as a person writes it: "1 second", "600 seconds", "0.5 seconds"."""
    number = f"{seconds:g}"
    return f"{number} second" if number == "1" else f"{number} seconds"


def wait_fraction(elapsed: float) -> float:
    """Progress while waiting: rises quickly, then slows, never reaching the end."""
    return 0.05 + 0.85 * (1 - math.exp(-elapsed / TYPICAL_SECONDS))

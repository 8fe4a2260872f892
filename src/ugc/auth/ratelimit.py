"""Sliding-window limiter for login attempts, per account and per client address."""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict, deque


class LoginRateLimiter:
    """Counts failed sign-ins per key within a window; in-process memory."""

    def __init__(self, attempts: int, window_seconds: int) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def retry_after(self, *keys: str) -> int:
        """Seconds until any of `keys` may try again; 0 when allowed now."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._prune(key, now)
                if len(failures) >= self.attempts:
                    wait = max(wait, failures[0] + self.window - now)
        return math.ceil(wait)

    def record_failure(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._prune(key, now).append(now)

    def reset(self, *keys: str) -> None:
        """Forget the failures of `keys` after a successful sign-in."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

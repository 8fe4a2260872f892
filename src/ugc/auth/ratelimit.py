"""Sliding-window limits on attempts (sign-ins, sign-ups), each key with its own limit.

An attempt is counted *before* the password is checked, in the same step as the limit is
checked, so a burst of concurrent guesses cannot all slip in under the limit; a successful
sign-in then takes its own attempt back and clears its first key's count.

In one process the counts live in memory. With Redis configured (UGC_QUEUE_URL), they live
there instead, so every web process behind a load balancer counts the same attempts.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ugc.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `attempts` per window under `key`."""

    key: str
    attempts: int


@dataclass(frozen=True, slots=True)
class Attempt:
    """One counted attempt: the key a success clears first, then the others."""

    keys: tuple[str, ...]
    mark: str


class LoginRateLimiter(Protocol):
    """Counts attempts per key within a window; a bare key string has the default limit."""

    async def begin(self, *keys: str | Limit) -> tuple[int, Attempt | None]:
        """(0, attempt) when allowed, counted against every key; (seconds to wait, None) if not."""
        ...

    async def succeeded(self, attempt: Attempt) -> None:
        """Clear the first key's count and take the attempt back from the other keys."""
        ...

    async def cancel(self, attempt: Attempt) -> None:
        """Take the attempt back from every key (it did not happen after all)."""
        ...

    async def aclose(self) -> None:
        """Release connections at shutdown."""
        ...


def _limits(default: int, keys: tuple[str | Limit, ...]) -> list[Limit]:
    return [key if isinstance(key, Limit) else Limit(key, default) for key in keys]


class MemoryRateLimiter:
    """Attempts in this process's memory; keys with no recent attempt are dropped."""

    def __init__(self, attempts: int, window_seconds: int) -> None:
        self.attempts = attempts
        self.window = window_seconds
        # Ordered by each key's latest attempt, oldest first, so expired keys sit at the front.
        self._attempts: OrderedDict[str, deque[tuple[float, str]]] = OrderedDict()
        self._lock = threading.Lock()

    def _forget_expired(self, now: float) -> None:
        # Keeps memory bounded when many accounts or addresses are tried once, never again.
        while self._attempts:
            key, marks = next(iter(self._attempts.items()))
            if marks and marks[-1][0] > now - self.window:
                return
            del self._attempts[key]

    def _recent(self, key: str, now: float) -> deque[tuple[float, str]]:
        marks = self._attempts.get(key, deque())
        while marks and marks[0][0] <= now - self.window:
            marks.popleft()
        return marks

    async def begin(self, *keys: str | Limit) -> tuple[int, Attempt | None]:
        """(0, attempt) when allowed, counted against every key; (seconds to wait, None) if not."""
        limits = _limits(self.attempts, keys)
        now = time.monotonic()
        with self._lock:
            self._forget_expired(now)
            recent = [self._recent(limit.key, now) for limit in limits]
            waits = [
                marks[0][0] + self.window - now
                for limit, marks in zip(limits, recent, strict=True)
                if len(marks) >= limit.attempts
            ]
            if waits:
                return max(1, math.ceil(max(waits))), None
            attempt = Attempt(tuple(limit.key for limit in limits), uuid.uuid4().hex)
            for key, marks in zip(attempt.keys, recent, strict=True):
                marks.append((now, attempt.mark))
                self._attempts[key] = marks
                self._attempts.move_to_end(key)
            return 0, attempt

    async def succeeded(self, attempt: Attempt) -> None:
        """Clear the first key's count and take the attempt back from the other keys."""
        with self._lock:
            self._attempts.pop(attempt.keys[0], None)
            self._take_back(attempt.keys[1:], attempt.mark)

    async def cancel(self, attempt: Attempt) -> None:
        """Take the attempt back from every key (it did not happen after all)."""
        with self._lock:
            self._take_back(attempt.keys, attempt.mark)

    def _take_back(self, keys: tuple[str, ...], mark: str) -> None:
        for key in keys:
            marks = self._attempts.get(key)
            if marks is not None:
                kept = deque(m for m in marks if m[1] != mark)
                marks.clear()
                marks.extend(kept)

    async def aclose(self) -> None:
        """Nothing to release."""


# Check every key and, only if none is at the limit, count the attempt on all of them: one
# atomic step on the Redis server, on the server's clock (web hosts' clocks may differ).
_BEGIN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local wait = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[i + 2]) then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    wait = math.max(wait, tonumber(oldest[2]) + window - now)
  end
end
if wait > 0 then return tostring(wait) end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[2])
  redis.call('EXPIRE', key, window)
end
return '0'
"""


class RedisRateLimiter:
    """Attempts in Redis sorted sets (one per key, scored by time), shared by all processes.

    If Redis cannot be reached, sign-in goes on without the limit (logged): an outage of the
    limiter must not lock every user out. Passwords are still checked, slowly (argon2id).
    """

    def __init__(self, redis: Redis, prefix: str, attempts: int, window_seconds: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.attempts = attempts
        self.window = window_seconds
        self._begin = redis.register_script(_BEGIN)

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    async def begin(self, *keys: str | Limit) -> tuple[int, Attempt | None]:
        """(0, attempt) when allowed, counted against every key; (seconds to wait, None) if not."""
        limits = _limits(self.attempts, keys)
        attempt = Attempt(tuple(limit.key for limit in limits), uuid.uuid4().hex)
        try:
            reply = await self._begin(
                keys=[self._key(limit.key) for limit in limits],
                args=[self.window, attempt.mark, *(limit.attempts for limit in limits)],
            )
        except RedisError:
            log.warning("sign-in limit unavailable: Redis did not answer", exc_info=True)
            return 0, None
        wait = float(reply)
        return (max(1, math.ceil(wait)), None) if wait > 0 else (0, attempt)

    async def succeeded(self, attempt: Attempt) -> None:
        """Clear the first key's count and take the attempt back from the other keys."""
        await self._take_back(attempt, clear_first=True)

    async def cancel(self, attempt: Attempt) -> None:
        """Take the attempt back from every key (it did not happen after all)."""
        await self._take_back(attempt, clear_first=False)

    async def _take_back(self, attempt: Attempt, *, clear_first: bool) -> None:
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                if clear_first:
                    pipe.delete(self._key(attempt.keys[0]))
                for key in attempt.keys[1 if clear_first else 0 :]:
                    pipe.zrem(self._key(key), attempt.mark)
                await pipe.execute()
        except RedisError:
            log.warning("attempt not taken back: Redis did not answer", exc_info=True)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.redis.aclose()


def _build_limiter(settings: Settings, name: str, attempts: int, window: int) -> LoginRateLimiter:
    """Redis-backed when the queue is on Redis (several processes), else in memory."""
    if settings.queue_url.startswith(("redis://", "rediss://")):
        prefix = f"{settings.queue_namespace}:{name}:"
        # Short timeouts: a sign-in waits on this, and a hung Redis must not hang it.
        redis = Redis.from_url(settings.queue_url, socket_timeout=2, socket_connect_timeout=2)
        return RedisRateLimiter(redis, prefix, attempts, window)
    return MemoryRateLimiter(attempts, window)


def build_login_limiter(settings: Settings) -> LoginRateLimiter:
    """Sign-in attempts, shared through Redis when the queue is on Redis."""
    return _build_limiter(
        settings,
        "login-attempts",
        settings.login_attempts_per_window,
        settings.login_window_seconds,
    )


def build_signup_limiter(settings: Settings) -> LoginRateLimiter:
    """Sign-ups per client address, shared through Redis when the queue is on Redis."""
    return _build_limiter(
        settings,
        "signup-attempts",
        settings.signup_attempts_per_window,
        settings.signup_window_seconds,
    )

"""Sliding-window limits on failed sign-ins, per account and per client address.

In one process the failures are kept in memory. With Redis configured (UGC_QUEUE_URL), they
are kept there instead, so every web process behind a load balancer counts the same attempts.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections import OrderedDict, deque
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ugc.config import Settings

log = logging.getLogger(__name__)


class LoginRateLimiter(Protocol):
    """Counts failed sign-ins per key within a window."""

    async def retry_after(self, *keys: str) -> int:
        """Seconds until any of `keys` may try again; 0 when allowed now."""
        ...

    async def record_failure(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        ...

    async def reset(self, *keys: str) -> None:
        """Forget the failures of `keys` after a successful sign-in."""
        ...

    async def aclose(self) -> None:
        """Release connections at shutdown."""
        ...


class MemoryRateLimiter:
    """Failures in this process's memory; keys with no recent failure are dropped."""

    def __init__(self, attempts: int, window_seconds: int) -> None:
        self.attempts = attempts
        self.window = window_seconds
        # Ordered by each key's latest failure, oldest first, so expired keys sit at the front.
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _forget_expired(self, now: float) -> None:
        # Keeps memory bounded when many accounts or addresses fail once and never return.
        while self._failures:
            key, failures = next(iter(self._failures.items()))
            if failures[-1] > now - self.window:
                return
            del self._failures[key]

    def _recent(self, key: str, now: float) -> deque[float]:
        self._forget_expired(now)
        failures = self._failures.get(key, deque())
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    async def retry_after(self, *keys: str) -> int:
        """Seconds until any of `keys` may try again; 0 when allowed now."""
        now = time.monotonic()
        wait = 0.0
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                if len(failures) >= self.attempts:
                    wait = max(wait, failures[0] + self.window - now)
        return math.ceil(wait)

    async def record_failure(self, *keys: str) -> None:
        """Count one failed attempt against each key."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                failures = self._recent(key, now)
                failures.append(now)
                self._failures[key] = failures
                self._failures.move_to_end(key)

    async def reset(self, *keys: str) -> None:
        """Forget the failures of `keys` after a successful sign-in."""
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)

    async def aclose(self) -> None:
        """Nothing to release."""


class RedisRateLimiter:
    """Failures in Redis sorted sets (one per key, scored by time), shared by all processes.

    If Redis cannot be reached, sign-in goes on without the limit (logged): an outage of the
    limiter must not lock every user out. Passwords are still checked, slowly (argon2id).
    """

    def __init__(self, redis: Redis, prefix: str, attempts: int, window_seconds: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.attempts = attempts
        self.window = window_seconds

    def _key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    async def retry_after(self, *keys: str) -> int:
        """Seconds until any of `keys` may try again; 0 when allowed now."""
        now = time.time()
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.zremrangebyscore(self._key(key), "-inf", now - self.window)
                    pipe.zcard(self._key(key))
                    pipe.zrange(self._key(key), 0, 0, withscores=True)
                replies = await pipe.execute()
        except RedisError:
            log.warning("sign-in limit unavailable: Redis did not answer", exc_info=True)
            return 0
        wait = 0.0
        for _, count, oldest in zip(replies[0::3], replies[1::3], replies[2::3], strict=True):
            if count >= self.attempts and oldest:
                wait = max(wait, oldest[0][1] + self.window - now)
        return math.ceil(wait)

    async def record_failure(self, *keys: str) -> None:
        """Count one failed attempt against each key (the set expires with the window)."""
        now = time.time()
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.zadd(self._key(key), {f"{now}:{uuid.uuid4().hex[:8]}": now})
                    pipe.expire(self._key(key), self.window)
                await pipe.execute()
        except RedisError:
            log.warning("sign-in failure not counted: Redis did not answer", exc_info=True)

    async def reset(self, *keys: str) -> None:
        """Forget the failures of `keys` after a successful sign-in."""
        try:
            await self.redis.delete(*(self._key(key) for key in keys))
        except RedisError:
            log.warning("sign-in failures not reset: Redis did not answer", exc_info=True)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.redis.aclose()


def build_login_limiter(settings: Settings) -> LoginRateLimiter:
    """Redis-backed when the queue is on Redis (several processes), else in memory."""
    attempts, window = settings.login_attempts_per_window, settings.login_window_seconds
    if settings.queue_url.startswith(("redis://", "rediss://")):
        prefix = f"{settings.queue_namespace}:login-failures:"
        # Short timeouts: a sign-in waits on this, and a hung Redis must not hang it.
        redis = Redis.from_url(settings.queue_url, socket_timeout=2, socket_connect_timeout=2)
        return RedisRateLimiter(redis, prefix, attempts, window)
    return MemoryRateLimiter(attempts, window)

"""How many live event streams each user holds open, with a cap.

A slot is held while its stream runs and renewed at every credential re-check; a slot whose
process died without releasing it lapses after `ttl` seconds, so a crash never leaves a
user locked out. With Redis configured the slots are shared by every web process.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ugc.config import Settings

log = logging.getLogger(__name__)


class StreamSlots(Protocol):
    """Counted, expiring slots per user."""

    async def acquire(self, user_key: str) -> str | None:
        """A new slot id, or None when the user already holds the maximum."""
        ...

    async def renew(self, user_key: str, slot: str) -> None:
        """Keep a held slot from lapsing."""
        ...

    async def release(self, user_key: str, slot: str) -> None:
        """Give a slot back."""
        ...

    async def aclose(self) -> None:
        """Release connections at shutdown."""
        ...


class MemoryStreamSlots:
    """Slots in this process's memory."""

    def __init__(self, limit: int, ttl: float) -> None:
        self.limit = limit
        self.ttl = ttl
        self._slots: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()

    async def acquire(self, user_key: str) -> str | None:
        """A new slot id, or None when the user already holds the maximum."""
        now = time.monotonic()
        with self._lock:
            held = {s: t for s, t in self._slots.get(user_key, {}).items() if t > now}
            if len(held) >= self.limit:
                self._slots[user_key] = held
                return None
            slot = uuid.uuid4().hex
            held[slot] = now + self.ttl
            self._slots[user_key] = held
            return slot

    async def renew(self, user_key: str, slot: str) -> None:
        """Keep a held slot from lapsing."""
        with self._lock:
            held = self._slots.get(user_key)
            if held is not None and slot in held:
                held[slot] = time.monotonic() + self.ttl

    async def release(self, user_key: str, slot: str) -> None:
        """Give a slot back."""
        with self._lock:
            held = self._slots.get(user_key, {})
            held.pop(slot, None)
            if not held:
                self._slots.pop(user_key, None)

    async def aclose(self) -> None:
        """Nothing to release."""


# Drop lapsed slots, then take one if the user holds fewer than the limit: one atomic step,
# scored by expiry on the Redis server's clock.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= limit then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[3])
redis.call('EXPIRE', KEYS[1], math.ceil(ttl))
return 1
"""

_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[1])
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(ttl))
return 1
"""


class RedisStreamSlots:
    """Slots in one Redis sorted set per user; if Redis is down, streams are not capped."""

    def __init__(self, redis: Redis, prefix: str, limit: int, ttl: float) -> None:
        self.redis = redis
        self.prefix = prefix
        self.limit = limit
        self.ttl = ttl
        self._acquire = redis.register_script(_ACQUIRE)
        self._renew = redis.register_script(_RENEW)

    async def acquire(self, user_key: str) -> str | None:
        """A new slot id, or None when the user already holds the maximum."""
        slot = uuid.uuid4().hex
        try:
            taken = await self._acquire(
                keys=[self.prefix + user_key], args=[self.limit, self.ttl, slot]
            )
        except RedisError:
            log.warning("event stream cap unavailable: Redis did not answer", exc_info=True)
            return slot
        return slot if int(taken) else None

    async def renew(self, user_key: str, slot: str) -> None:
        """Keep a held slot from lapsing."""
        try:
            await self._renew(keys=[self.prefix + user_key], args=[self.ttl, slot])
        except RedisError:
            log.warning("event stream slot not renewed: Redis did not answer", exc_info=True)

    async def release(self, user_key: str, slot: str) -> None:
        """Give a slot back."""
        try:
            await self.redis.zrem(self.prefix + user_key, slot)
        except RedisError:
            log.warning("event stream slot not released: Redis did not answer", exc_info=True)

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.redis.aclose()


def build_stream_slots(settings: Settings) -> StreamSlots:
    """Shared through Redis when the queue is on Redis, else in this process's memory."""
    # Three missed renewals before a slot lapses: a busy process is not a dead one.
    ttl = settings.event_stream_recheck_seconds * 3 + 5
    limit = settings.event_streams_per_user
    if settings.queue_url.startswith(("redis://", "rediss://")):
        redis = Redis.from_url(settings.queue_url, socket_timeout=2, socket_connect_timeout=2)
        return RedisStreamSlots(redis, f"{settings.queue_namespace}:event-streams:", limit, ttl)
    return MemoryStreamSlots(limit, ttl)

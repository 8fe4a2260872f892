"""What a running job needs, built once per worker thread and its event loop."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Protocol

from ugc.config import Settings
from ugc.db.engine import Database
from ugc.engines.base import ImageEngine, VideoEngine
from ugc.engines.registry import build_image_engine, build_video_engine
from ugc.jobs.notices import NoticeBoard, NoticeWaiter
from ugc.jobs.repository import JobRepository
from ugc.storage.base import Storage


class JobDiscarded(Exception):
    """The job's project or account was deleted while it ran: its result must not be kept."""


class JobQueue(Protocol):
    """Sends wake-up messages for jobs; the database row is the truth."""

    async def enqueue(self, job_id: uuid.UUID, *, delay: float = 0) -> None:
        """Ask a worker to run `job_id`, no sooner than `delay` seconds from now."""
        ...


@dataclass
class JobContext:
    """Settings, database, storage, engines and queue for one event loop."""

    settings: Settings
    db: Database
    storage: Storage
    queue: JobQueue
    # Wakes this process's waiting jobs when a provider's webhook lands here.
    notice_board: NoticeBoard = field(default_factory=NoticeBoard)
    _image_engine: ImageEngine | None = None
    _video_engine: VideoEngine | None = None

    async def ensure_wanted(self, job_id: uuid.UUID) -> None:
        """Raise JobDiscarded when the job is gone (its project or account was deleted)."""
        async with self.db.session() as session:
            running = await JobRepository(session).is_running(job_id)
            await session.commit()
        if not running:
            raise JobDiscarded(str(job_id))

    def notice_waiter(self) -> NoticeWaiter:
        """A wait for providers' word about one job's operation (see ugc.jobs.notices)."""
        return NoticeWaiter(self.db, self.notice_board, self.settings.notice_check_seconds)

    @property
    def image_engine(self) -> ImageEngine:
        """The configured image engine, built on first use."""
        if self._image_engine is None:
            self._image_engine = build_image_engine(self.settings)
        return self._image_engine

    @property
    def video_engine(self) -> VideoEngine:
        """The configured video engine, built on first use."""
        if self._video_engine is None:
            self._video_engine = build_video_engine(self.settings)
        return self._video_engine


@dataclass
class ProgressTracker:
    """Latest (stage, fraction) reported by an engine; safe to call from any thread."""

    latest: tuple[str, float] = ("starting", 0.0)
    version: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, stage: str, fraction: float) -> None:
        """Record progress; callers may call this once per frame."""
        with self._lock:
            self.latest = (stage[:64], min(1.0, max(0.0, float(fraction))))
            self.version += 1

    def snapshot(self) -> tuple[int, str, float]:
        """(version, stage, fraction) read atomically."""
        with self._lock:
            return self.version, self.latest[0], self.latest[1]

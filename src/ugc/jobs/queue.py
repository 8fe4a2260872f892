"""Dramatiq wiring: StubBroker + in-process Worker (embedded) or RedisBroker (`ugc worker`)."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware, ShutdownNotifications, TimeLimit

from ugc.config import Settings
from ugc.db.engine import Database
from ugc.engines.registry import build_image_engine, build_video_engine
from ugc.jobs.context import JobContext
from ugc.jobs.notices import NoticeBoard
from ugc.storage.factory import build_storage

log = logging.getLogger(__name__)

QUEUE_NAME = "generation"
# Engines enforce their own timeouts (Omni polls up to UGC_OMNI_TIMEOUT_SECONDS);
# this only stops a thread that hangs far beyond them.
TIME_LIMIT_MS = 60 * 60 * 1000


class _ThreadRuntime:
    """An event loop, database and engines owned by one worker thread."""

    def __init__(self, queue: DramatiqQueue) -> None:
        self.runner = asyncio.Runner()
        settings = queue.settings
        self.ctx = JobContext(
            settings=settings,
            db=Database(settings.database_url, pool_size=2),
            storage=build_storage(settings, queue.secret),
            queue=queue,
            notice_board=queue.notice_board,
        )

    def close(self) -> None:
        try:
            self.runner.run(self.ctx.db.dispose())
        finally:
            self.runner.close()


class _RuntimeCleanup(Middleware):
    """Closes a worker thread's loop and connections when the thread stops."""

    def __init__(self, queue: DramatiqQueue) -> None:
        self.queue = queue

    def before_worker_thread_shutdown(self, broker: Any, thread: Any) -> None:
        self.queue.close_thread_runtime()


class DramatiqQueue:
    """The job queue: sends job ids, and runs them in worker threads."""

    def __init__(self, settings: Settings, secret: str) -> None:
        self.settings = settings
        self.secret = secret
        middleware = [TimeLimit(), ShutdownNotifications(), _RuntimeCleanup(self)]
        if settings.queue_url == "inprocess":
            self.broker: Any = StubBroker(middleware=middleware)
            self.broker.emit_after("process_boot")
        else:
            from dramatiq.brokers.redis import RedisBroker

            self.broker = RedisBroker(  # type: ignore[no-untyped-call]
                url=settings.queue_url, namespace=settings.queue_namespace, middleware=middleware
            )
        self.actor = dramatiq.actor(
            broker=self.broker,
            actor_name="run_generation_job",
            queue_name=QUEUE_NAME,
            time_limit=TIME_LIMIT_MS,
        )(self._perform)
        self._local = threading.local()
        self._worker: Any = None
        # Shared by this process's worker threads and its webhook routes.
        self.notice_board = NoticeBoard()

    @property
    def is_embedded(self) -> bool:
        """True when messages live in this process only."""
        return isinstance(self.broker, StubBroker)

    def _perform(self, job_id: str) -> None:
        from ugc.jobs.runner import run_job

        runtime: _ThreadRuntime | None = getattr(self._local, "runtime", None)
        if runtime is None:
            runtime = self._local.runtime = _ThreadRuntime(self)
        runtime.runner.run(run_job(runtime.ctx, uuid.UUID(job_id)))

    def close_thread_runtime(self) -> None:
        """Dispose the calling thread's runtime, if it has one."""
        runtime: _ThreadRuntime | None = getattr(self._local, "runtime", None)
        if runtime is not None:
            self._local.runtime = None
            runtime.close()

    def send(self, job_id: uuid.UUID, *, delay: float = 0) -> None:
        """Send a wake-up message (blocking; Redis does network I/O)."""
        self.actor.send_with_options(args=(str(job_id),), delay=int(delay * 1000) or None)

    async def enqueue(self, job_id: uuid.UUID, *, delay: float = 0) -> None:
        """Send a wake-up message without blocking the event loop."""
        if self.is_embedded:
            self.send(job_id, delay=delay)
        else:
            await asyncio.to_thread(self.send, job_id, delay=delay)

    def start_worker(self) -> None:
        """Start worker threads consuming the generation queue."""
        # Import and build the engines now: a first import inside a job (the Google SDK
        # takes seconds) would block that job's event loop and let its lease lapse.
        build_image_engine(self.settings)
        build_video_engine(self.settings)
        self._worker = dramatiq.Worker(
            self.broker, worker_threads=self.settings.worker_threads, worker_timeout=250
        )
        self._worker.start()
        log.info("job worker started", extra={"threads": self.settings.worker_threads})

    def stop_worker(self, timeout_ms: int = 10_000) -> None:
        """Stop worker threads, letting running jobs finish within the timeout."""
        if self._worker is not None:
            self._worker.stop(timeout=timeout_ms)
            self._worker = None
        self.broker.close()

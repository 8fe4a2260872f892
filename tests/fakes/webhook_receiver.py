"""A customer's webhook endpoint: verifies every delivery with the `standardwebhooks` library.

The library is an implementation of the specification that is not ours, so a signature it
accepts is one any customer's code accepts.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.fakes.http import FakeServer, RecordedRequest, Reply


@dataclass(frozen=True)
class Received:
    """One delivery attempt as the endpoint saw it."""

    webhook_id: str
    arrived: float
    verified: bool
    event: dict[str, Any] | None


@dataclass
class WebhookReceiver(FakeServer):
    """Answers 204 to verified deliveries, or what the test scripted."""

    secret: str = ""
    scripted: deque[int] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def __post_init__(self) -> None:
        FakeServer.__init__(self)

    @property
    def url(self) -> str:
        """Where to register the endpoint."""
        return f"{self.base_url}/hooks"

    def answer_next(self, *statuses: int) -> None:
        """Reply with these statuses to the next attempts, then 204 again."""
        self.scripted.extend(statuses)

    def handle(self, request: RecordedRequest) -> Reply:
        """Verify, record, and reply."""
        event: dict[str, Any] | None
        try:
            event = Webhook(self.secret).verify(request.body, request.headers)
            verified = True
        except WebhookVerificationError:
            event, verified = None, False
        with self.arrived:
            self.received.append(
                Received(request.headers.get("webhook-id", ""), time.monotonic(), verified, event)
            )
            status = self.scripted.popleft() if self.scripted else (204 if verified else 400)
            self.arrived.notify_all()
        return Reply(status)

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Received]:
        """Block until `count` attempts arrived; all of them."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(self.received)} of {count} deliveries arrived")
                self.arrived.wait(left)
            return list(self.received)

"""The load: users who sign up, make ads, ask for videos, read, stream, publish and delete.

Each user is a closed loop (the next ad once the last one finished), like a person at the
web app; with more users than job slots a queue forms, which is what the soak measures.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

PASSWORD = "soak: correct horse battery staple"
TERMINAL = ("ready", "failed")
# The event stream polls twice a second; a finish this close to giving up may be unseen.
STREAM_GRACE_SECONDS = 2.0


@dataclass
class Metrics:
    """What one phase observed, from the clients' side."""

    started: float = field(default_factory=time.monotonic)
    api_ms: dict[str, list[float]] = field(default_factory=dict)  # per "METHOD /route"
    queue_wait_s: list[float] = field(default_factory=list)
    create_to_ready_s: list[float] = field(default_factory=list)
    finished_at: list[float] = field(default_factory=list)  # one per job seen to finish
    failed_jobs: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    expected: Counter[str] = field(default_factory=Counter)
    # Streams still open on a project that had finished (a defect), and jobs that had not
    # finished when the client stopped waiting (a slow machine or an overloaded stack).
    unfinished_streams: list[str] = field(default_factory=list)
    running_at_deadline: int = 0
    rss_mb: float = 0.0  # the largest worker's, sampled every second
    cpu_cores: dict[str, float] = field(default_factory=dict)  # per role, after the ramp-up

    def api_times(self, *methods: str) -> list[float]:
        """Every call's time in ms, or only those of `methods` (e.g. "GET")."""
        return [
            ms
            for route, times in self.api_ms.items()
            if not methods or route.split(" ", 1)[0] in methods
            for ms in times
        ]

    def slowest_routes(self, count: int = 3) -> list[tuple[str, float]]:
        """The routes with the largest p99, with it."""
        tails = {route: percentile(times, 0.99) for route, times in self.api_ms.items() if times}
        return sorted(tails.items(), key=lambda item: -item[1])[:count]

    def jobs_per_minute(self, since: float, until: float) -> float:
        """Jobs finished in [since, until], per minute."""
        done = sum(since <= t <= until for t in self.finished_at)
        return done * 60 / max(until - since, 1e-9)


@dataclass
class Photos:
    """Upload bodies made once."""

    person: bytes
    product: bytes


class User:
    """One person using the app through its JSON API."""

    def __init__(self, base_url: str, metrics: Metrics, photos: Photos, seed: int) -> None:
        # Each person comes from an address of their own, as through a load balancer (the
        # stack trusts loopback as its proxy): the per-address sign-up limit is for abuse,
        # and a whole soak from one address would trip it.
        address = f"10.{seed // 65536 % 256}.{seed // 256 % 256}.{seed % 256}"
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(60, connect=10),
            headers={"X-Forwarded-For": address},
        )
        self.metrics = metrics
        self.photos = photos
        self.random = random.Random(seed)
        self.email = f"soak-{uuid.uuid4().hex[:12]}@example.com"

    async def call(
        self, method: str, path: str, *expected: int, **kwargs: Any
    ) -> httpx.Response | None:
        """One API call, timed; unexpected answers and transport errors are counted."""
        started = time.perf_counter()
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            self.metrics.errors[f"{method} {_route(path)}: {type(exc).__name__}"] += 1
            return None
        elapsed = (time.perf_counter() - started) * 1000
        self.metrics.api_ms.setdefault(f"{method} {_route(path)}", []).append(elapsed)
        if response.status_code not in expected:
            key = f"{method} {_route(path)}: {response.status_code}"
            self.metrics.errors[key] += 1
            return None
        if response.status_code >= 400:
            self.metrics.expected[f"{response.status_code} {response.json().get('error')}"] += 1
        return response

    async def sign_up(self) -> bool:
        """Create the account (the session cookie stays on the client)."""
        body = {"email": self.email, "password": PASSWORD}
        return await self.call("POST", "/api/auth/signup", 201, json=body) is not None

    async def create(self, marker: str) -> str | None:
        """Ask for an ad image; the project id."""
        response = await self.call(
            "POST",
            "/api/project/create",
            201,
            data={
                "productName": f"Bottle {marker}",
                "aspectRatio": self.random.choice(["9:16", "9:16", "16:9", "1:1"]),
                "userPrompt": "Morning routine, natural light",
            },
            files={
                "userImage": ("me.jpg", self.photos.person, "image/jpeg"),
                "productImage": ("bottle.png", self.photos.product, "image/png"),
            },
        )
        return None if response is None else str(response.json()["projectId"])

    async def watch(
        self, project_id: str, started: float, *, video: bool, deadline: float
    ) -> dict[str, Any] | None:
        """Follow the project's event stream until its job ends (reconnecting, as browsers do)."""
        generating_seen = False
        while time.monotonic() < deadline:
            try:
                async with self.http.stream(
                    "GET", f"/api/user/projects/{project_id}/events"
                ) as stream:
                    if stream.status_code != 200:
                        self.metrics.errors[f"GET events: {stream.status_code}"] += 1
                        return None
                    event = ""
                    async for line in stream.aiter_lines():
                        if line.startswith("event: "):
                            event = line[7:]
                            if event == "gone":
                                return None
                        elif line.startswith("data: ") and event == "project":
                            project = json.loads(line[6:])["project"]
                            if project["status"] == "generating" and not generating_seen:
                                generating_seen = True
                                self.metrics.queue_wait_s.append(time.monotonic() - started)
                            if project["status"] in TERMINAL and (
                                not video or project["generatedVideo"] or project["error"]
                            ):
                                return dict(project)
                        if time.monotonic() > deadline:
                            break
            except httpx.HTTPError:
                await asyncio.sleep(1)  # a web process died: reconnect like EventSource
        await self._account_for_unended_stream(project_id, deadline)
        return None

    async def _account_for_unended_stream(self, project_id: str, deadline: float) -> None:
        """A stream that never ended: a defect if its project had finished well before we
        gave up (the stream missed the end), else a job still running at the deadline."""
        response = await self.call("GET", f"/api/user/projects/{project_id}", 200, 404)
        if response is None or response.status_code == 404:
            return
        project = response.json()["project"]
        if project["status"] not in TERMINAL:
            self.metrics.running_at_deadline += 1
            return
        finished = datetime.fromisoformat(project["updatedAt"]).timestamp()
        gave_up = time.time() - (time.monotonic() - deadline)
        if finished < gave_up - STREAM_GRACE_SECONDS:
            self.metrics.unfinished_streams.append(project_id)

    def _finished(self, project: dict[str, Any] | None, started: float, video: bool) -> None:
        if project is None:
            return
        self.metrics.finished_at.append(time.monotonic())
        failed = project["status"] == "failed" or (video and not project["generatedVideo"])
        if failed:
            self.metrics.failed_jobs += 1
        elif not video:
            self.metrics.create_to_ready_s.append(time.monotonic() - started)

    async def one_ad(self, deadline: float) -> None:
        """Make an ad and do what people do with it."""
        marker = f"soak-{uuid.uuid4().hex[:10]}"
        started = time.monotonic()
        project_id = await self.create(marker)
        if project_id is None:
            return
        project = await self.watch(project_id, started, video=False, deadline=deadline + 120)
        self._finished(project, started, video=False)
        await self.call("GET", f"/api/user/projects/{project_id}", 200)
        await self.call("GET", "/api/user/projects?limit=20", 200)
        if project is None or project["status"] != "ready":
            return
        roll = self.random.random()
        if roll < 0.35:
            started = time.monotonic()
            if await self.call("POST", "/api/project/video", 202, json={"projectId": project_id}):
                video = await self.watch(project_id, started, video=True, deadline=deadline + 180)
                self._finished(video, started, video=True)
        if self.random.random() < 0.3:
            body = {"projectId": project_id, "isPublished": True}
            await self.call("POST", "/api/project/publish", 200, json=body)
            await self.call("GET", "/api/project/published?limit=12", 200)
        if self.random.random() < 0.25:
            await self.call("DELETE", f"/api/project/{project_id}", 204, 409)

    async def mistakes(self) -> None:
        """A bad upload now and then, as people make them."""
        await self.call(
            "POST",
            "/api/project/create",
            415,
            422,
            data={"productName": "Notes"},
            files={
                "userImage": ("notes.txt", b"not a photo\n" * 50, "text/plain"),
                "productImage": ("bottle.png", self.photos.product, "image/png"),
            },
        )

    async def run(self, deadline: float) -> None:
        """Sign up, then make ads until the deadline."""
        if not await self.sign_up():
            return
        while time.monotonic() < deadline:
            if self.random.random() < 0.05:
                await self.mistakes()
            await self.one_ad(deadline)
        await self.http.aclose()


async def poor_user_loop(user: User, photos: Photos, deadline: float) -> None:
    """A user without credits keeps trying: every attempt must be a clean 402."""
    while time.monotonic() < deadline:
        await user.call(
            "POST",
            "/api/project/create",
            402,
            data={"productName": "Broke"},
            files={
                "userImage": ("me.jpg", photos.person, "image/jpeg"),
                "productImage": ("p.png", photos.product, "image/png"),
            },
        )
        await asyncio.sleep(2)
    await user.http.aclose()


def percentile(values: list[float], q: float) -> float:
    """The `q` quantile (0..1) by rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _route(path: str) -> str:
    parts = [
        ("{id}" if len(p) == 36 and p.count("-") == 4 else p) for p in path.split("?")[0].split("/")
    ]
    return "/".join(parts)

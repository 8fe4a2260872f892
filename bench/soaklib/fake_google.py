"""The tests' fake Google server as a process of its own, with a latency per image and video.

Images answer after `--image-latency` seconds; a video interaction stays `in_progress` for
`--video-latency` seconds after its create. `GET /_soak/stats` counts, per soak marker found
in the request (each project's product name carries one), the paid operations started:
generateContent calls and Interactions creates.

What it makes is remembered by its inputs: the soak's users share a few photos, and making
every ad and clip afresh cost this process a third of a core the stack under test needs,
while Google's own servers cost the stack nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from tests.fakes.gemini_server import FakeGemini, Interaction
from tests.fakes.http import RecordedRequest, Reply, _handler_for

MARKER = re.compile(rb"soak-[0-9a-f]{10}")


class SoakGoogle(FakeGemini):
    """FakeGemini plus latency and per-project counts; remembers nothing else between calls."""

    def __init__(self, image_latency: float, video_latency: float) -> None:
        super().__init__()
        self.image_latency = image_latency
        self.video_latency = video_latency
        self.started: dict[str, float] = {}
        self.counts: dict[str, Counter[str]] = {"image": Counter(), "video": Counter()}
        self.guard = threading.Lock()
        self.made: dict[bytes, Any] = {}

    def _made(self, key: bytes, make: Callable[[], Any]) -> Any:
        """What `make` returns for these inputs, made once (two racing makers: one is kept)."""
        digest = hashlib.sha256(key).digest()
        with self.guard:
            if digest in self.made:
                return self.made[digest]
        made = make()
        with self.guard:
            return self.made.setdefault(digest, made)

    def _generate_content(self, request: RecordedRequest) -> Reply:
        # The prompt differs per project (it names each one's product); the photos and the
        # size decide the ad.
        parts = request.json.get("contents", [{}])[0].get("parts", [])
        key = [[p["inlineData"]["data"] for p in parts if "inlineData" in p],
               request.json.get("generationConfig")]  # fmt: skip
        make = super()._generate_content
        reply: Reply = self._made(b"image" + _key(key), lambda: make(request))
        return reply

    def _render(self, interaction: Interaction) -> bytes:
        if interaction.video is None:
            key = [
                self._input_image(interaction.request),
                interaction.request.get("response_format"),
            ]
            make = super()._render
            interaction.video = self._made(b"video" + _key(key), lambda: make(interaction))
        assert interaction.video is not None
        return interaction.video

    def _count(self, kind: str, request: RecordedRequest) -> None:
        marker = MARKER.search(request.body)
        with self.guard:
            self.counts[kind][marker.group().decode() if marker else "?"] += 1

    def _serve(self, request: RecordedRequest) -> Reply:
        # Keep no request log: a soak sends thousands, each carrying photos.
        if request.path == "/_soak/stats":
            with self.guard:
                return Reply(200, {k: dict(v) for k, v in self.counts.items()})
        if request.path.endswith(":generateContent"):
            self._count("image", request)
            return dataclasses.replace(self.handle(request), delay=self.image_latency)
        if request.method == "POST" and request.path.endswith("/interactions"):
            self._count("video", request)
            reply = self.handle(request)
            interaction = _json(reply)
            if interaction.get("id"):
                with self.guard:
                    self.started[interaction["id"]] = time.monotonic()
            return reply
        interaction_id = request.path.rsplit("/", 1)[-1]
        if request.method == "GET" and "/interactions/" in request.path:
            with self.guard:
                started = self.started.get(interaction_id)
            if started is not None and time.monotonic() - started < self.video_latency:
                return Reply(200, {"id": interaction_id, "status": "in_progress"})
        return self.handle(request)

    def serve_on(self, port: int) -> None:
        """Serve on 127.0.0.1:port until killed."""
        server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        server.daemon_threads = True
        server.serve_forever()


def _key(parts: list[Any]) -> bytes:
    return json.dumps(
        parts, sort_keys=True, default=lambda b: hashlib.sha256(b).hexdigest()
    ).encode()


def _json(reply: Reply) -> dict[str, object]:
    body = reply.body
    if isinstance(body, bytes):
        try:
            return dict(json.loads(body or b"{}"))
        except ValueError:
            return {}
    return dict(body) if isinstance(body, dict) else {}


def main() -> None:
    """Parse the latencies and serve."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--image-latency", type=float, default=2.0)
    parser.add_argument("--video-latency", type=float, default=8.0)
    args = parser.parse_args()
    SoakGoogle(args.image_latency, args.video_latency).serve_on(args.port)


if __name__ == "__main__":
    main()

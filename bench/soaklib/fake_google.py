"""The tests' fake Google server as a process of its own, with a latency per image and video.

Images answer after `--image-latency` seconds; a video interaction stays `in_progress` for
`--video-latency` seconds after its create. `GET /_soak/stats` counts, per soak marker found
in the request (each project's product name carries one), the paid operations started:
generateContent calls and Interactions creates.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer

from tests.fakes.gemini_server import FakeGemini
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

"""A local fake of the Gemini API (generateContent) and Veo (predictLongRunning + operations).

Speaks the wire format the real google-genai SDK uses (see shared/notes/gemini-wire.md), so
engines are tested through the real SDK. Script behaviours per test, e.g.

    fake.script(image=[rate_limited("3s"), image_ok()], video=[video_filtered("Unsafe.")])

Unscripted calls succeed. Every request is recorded in `fake.requests`.
"""

from __future__ import annotations

import base64
import itertools
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http import FakeServer, RecordedRequest, Reply
from tests.fakes.media import make_mp4, make_png

API_KEY = "fake-gemini-key"
# What Gemini 3 Pro Image really returns at 1K: close to, not exactly, the asked ratio.
GEMINI_1K = {"1:1": (1024, 1024), "9:16": (768, 1376), "16:9": (1376, 768)}
VEO_720P = {"9:16": (720, 1280), "16:9": (1280, 720)}
NEVER = 10**9


@dataclass(frozen=True)
class ImageOk:
    """Answer with a PNG; its size follows the asked aspect ratio unless given."""

    size: tuple[int, int] | None = None
    text: str | None = None  # an extra text part before the image, as Gemini sometimes adds


@dataclass(frozen=True)
class VideoJob:
    """How a started Veo operation behaves: done after `polls` status checks, then outcome."""

    polls: int = 1
    error: dict[str, Any] | None = None
    filtered: list[str] | None = None
    mp4: bytes | None = None  # served instead of the generated clip (e.g. corrupt bytes)
    faststart: bool = False
    empty: bool = False  # done, no error, no samples and no filter reason


@dataclass
class Operation:
    """A Veo operation the fake started."""

    name: str
    job: VideoJob
    aspect_ratio: str
    file_id: str
    polls: int = 0


def image_ok(size: tuple[int, int] | None = None, text: str | None = None) -> ImageOk:
    """A successful image answer."""
    return ImageOk(size, text)


def text_only(text: str = "I can't help with making that image.") -> Reply:
    """A 200 answer holding only text, no image part."""
    return _candidate({"content": {"role": "model", "parts": [{"text": text}]}})


def blocked_prompt(reason: str = "SAFETY") -> Reply:
    """A 200 answer whose prompt was blocked: promptFeedback.blockReason, no candidates."""
    return Reply(200, {"promptFeedback": {"blockReason": reason}, "modelVersion": "fake"})


def finish_reason(reason: str = "IMAGE_SAFETY") -> Reply:
    """A 200 answer whose candidate stopped with `reason` and no content."""
    return _candidate({"finishReason": reason})


def http_error(code: int, status: str, message: str, details: list[Any] | None = None) -> Reply:
    """A Google API error body with the given HTTP status."""
    error: dict[str, Any] = {"code": code, "message": message, "status": status}
    if details:
        error["details"] = details
    return Reply(code, {"error": error})


def rate_limited(retry_delay: str | None = "7s") -> Reply:
    """429 RESOURCE_EXHAUSTED, with a RetryInfo retryDelay when given."""
    details = None
    if retry_delay:
        retry = {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
        details = [retry]
    return http_error(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted.", details)


def unavailable() -> Reply:
    """503 UNAVAILABLE."""
    return http_error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")


def bad_api_key() -> Reply:
    """What Google answers to a wrong key: 400 INVALID_ARGUMENT with reason API_KEY_INVALID."""
    info = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
    return http_error(
        400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [info]
    )


def slow(seconds: float, then: Reply | None = None) -> Reply:
    """Wait `seconds` before answering `then` (default: an empty 200) to trip client timeouts."""
    reply = then or Reply(200, {})
    return Reply(reply.status, reply.body, reply.headers, delay=seconds)


def video_ok(polls: int = 1, *, mp4: bytes | None = None, faststart: bool = False) -> VideoJob:
    """An operation that finishes with one video after `polls` status checks."""
    return VideoJob(polls=polls, mp4=mp4, faststart=faststart)


def video_error(message: str = "Internal error while generating.", code: int = 13) -> VideoJob:
    """An operation that finishes with `error` (a google.rpc.Status)."""
    return VideoJob(error={"code": code, "message": message})


def video_filtered(*reasons: str) -> VideoJob:
    """An operation whose every sample was removed by the safety filter."""
    return VideoJob(filtered=list(reasons) or ["The video was filtered by the safety system."])


def video_empty() -> VideoJob:
    """An operation that finishes with neither a video, an error nor a filter reason."""
    return VideoJob(empty=True)


def video_never_done() -> VideoJob:
    """An operation that stays running forever."""
    return VideoJob(polls=NEVER)


def b64bytes(text: str) -> bytes:
    """Decode base64 as the SDK writes it (URL-safe alphabet, padding optional)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _candidate(candidate: dict[str, Any]) -> Reply:
    return Reply(200, {"candidates": [{"index": 0, **candidate}], "modelVersion": "fake"})


@dataclass
class _Script:
    image: deque[Reply | ImageOk] = field(default_factory=deque)
    video: deque[Reply | VideoJob] = field(default_factory=deque)
    poll: deque[Reply] = field(default_factory=deque)
    download: deque[Reply] = field(default_factory=deque)


class FakeGemini(FakeServer):
    """The fake Gemini/Veo server; see the module docstring."""

    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.operations: dict[str, Operation] = {}
        self._script = _Script()
        self._ids = itertools.count(1)

    def script(
        self,
        *,
        image: list[Reply | ImageOk] | tuple[Reply | ImageOk, ...] = (),
        video: list[Reply | VideoJob] | tuple[Reply | VideoJob, ...] = (),
        poll: list[Reply] | tuple[Reply, ...] = (),
        download: list[Reply] | tuple[Reply, ...] = (),
    ) -> None:
        """Queue behaviours: image (generateContent), video (predictLongRunning), poll, download."""
        with self._lock:
            self._script.image.extend(image)
            self._script.video.extend(video)
            self._script.poll.extend(poll)
            self._script.download.extend(download)

    def reset(self) -> None:
        """Forget requests, operations and queued behaviours."""
        super().reset()
        with self._lock:
            self._script = _Script()
            self.operations.clear()

    def settings_overrides(self) -> dict[str, Any]:
        """Settings fields that point the engines at this fake."""
        return {"gemini_api_key": self.api_key, "gemini_base_url": self.base_url}

    def env(self) -> dict[str, str]:
        """The same as UGC_* environment variables."""
        return {"UGC_GEMINI_API_KEY": self.api_key, "UGC_GEMINI_BASE_URL": self.base_url}

    # --- views for assertions -------------------------------------------------------------

    @property
    def image_requests(self) -> list[RecordedRequest]:
        """Recorded generateContent calls."""
        return [r for r in self.requests if r.path.endswith(":generateContent")]

    @property
    def video_requests(self) -> list[RecordedRequest]:
        """Recorded predictLongRunning calls (one per paid Veo operation)."""
        return [r for r in self.requests if r.path.endswith(":predictLongRunning")]

    @property
    def poll_requests(self) -> list[RecordedRequest]:
        """Recorded operation status checks."""
        return [r for r in self.requests if "/operations/" in r.path]

    # --- wire -----------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        """Route one request like the real API does."""
        if request.headers.get("x-goog-api-key") != self.api_key:
            return bad_api_key()
        path = request.path
        if request.method == "POST" and path.endswith(":generateContent"):
            return self._generate_content(request)
        if request.method == "POST" and path.endswith(":predictLongRunning"):
            return self._start_operation(request)
        if request.method == "GET" and "/operations/" in path:
            return self._poll(path.removeprefix("/v1beta/"))
        if request.method == "GET" and path.startswith("/v1beta/files/"):
            return self._download(path.removeprefix("/v1beta/files/").split(":")[0])
        return http_error(404, "NOT_FOUND", f"No route for {request.method} {path}.")

    def _next(self, queue: deque[Any]) -> Any:
        with self._lock:
            return queue.popleft() if queue else None

    def _generate_content(self, request: RecordedRequest) -> Reply:
        behaviour = self._next(self._script.image) or ImageOk()
        if isinstance(behaviour, Reply):
            return behaviour
        config = (request.json.get("generationConfig") or {}).get("imageConfig") or {}
        size = behaviour.size or GEMINI_1K.get(config.get("aspectRatio", "1:1"), (1024, 1024))
        parts: list[dict[str, Any]] = [{"text": behaviour.text}] if behaviour.text else []
        data = base64.b64encode(make_png(*size)).decode()
        parts.append({"inlineData": {"mimeType": "image/png", "data": data}})
        content = {"role": "model", "parts": parts}
        return _candidate({"content": content, "finishReason": "STOP"})

    def _start_operation(self, request: RecordedRequest) -> Reply:
        behaviour = self._next(self._script.video) or VideoJob()
        if isinstance(behaviour, Reply):
            return behaviour
        model = request.path.removeprefix("/v1beta/").split(":")[0]
        name = f"{model}/operations/{uuid.uuid4().hex[:12]}"
        aspect = (request.json.get("parameters") or {}).get("aspectRatio", "16:9")
        file_id = f"fakevideo{next(self._ids)}{uuid.uuid4().hex[:6]}"
        with self._lock:
            self.operations[name] = Operation(name, behaviour, aspect, file_id)
        return Reply(200, {"name": name})

    def _poll(self, name: str) -> Reply:
        scripted = self._next(self._script.poll)
        if scripted is not None:
            return scripted
        with self._lock:
            op = self.operations.get(name)
            if op is None:
                return http_error(404, "NOT_FOUND", f"Operation {name} not found.")
            op.polls += 1
            if op.polls < op.job.polls:
                return Reply(200, {"name": name})
        return Reply(200, _finished(op))

    def _download(self, file_id: str) -> Reply:
        scripted = self._next(self._script.download)
        if scripted is not None:
            return scripted
        op = next((o for o in self.operations.values() if o.file_id == file_id), None)
        if op is None:
            return http_error(404, "NOT_FOUND", f"File {file_id} not found.")
        width, height = VEO_720P.get(op.aspect_ratio, (1280, 720))
        data = op.job.mp4 or make_mp4(width, height, faststart=op.job.faststart)
        return Reply(200, data, {"Content-Type": "video/mp4"})


def _finished(op: Operation) -> dict[str, Any]:
    body: dict[str, Any] = {"name": op.name, "done": True}
    if op.job.error is not None:
        body["error"] = op.job.error
        return body
    kind = "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse"
    if op.job.empty:
        result: dict[str, Any] = {}
    elif op.job.filtered is not None:
        result = {"raiMediaFilteredCount": 1, "raiMediaFilteredReasons": op.job.filtered}
    else:
        uri = f"https://generativelanguage.googleapis.com/v1beta/files/{op.file_id}:download?alt=media"
        result = {"generatedSamples": [{"video": {"uri": uri}}]}
    body["response"] = {"@type": kind, "generateVideoResponse": result}
    return body

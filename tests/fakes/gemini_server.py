"""A local fake of the Gemini API: generateContent (images), Interactions (Omni Flash video,
background create / get / cancel), file download, and Google's error bodies.

Speaks the wire format the real google-genai SDK uses (see shared/notes/gemini-wire.md), so
engines are tested through the real SDK. Images are the request's own product pasted into
its person photo (intact, label repainted, or absent); videos zoom into the sent image.
Script behaviours per test, e.g.

    fake.script(image=[rate_limited("3s"), image_ok()], video=[omni_failed("Unsafe.")])

Unscripted calls succeed. Every request is recorded in `fake.requests`.

Google's webhooks: `fake.finish(id)` ends an interaction (`omni_until_finished()` waits for
that), and `fake.signed_webhook(id)` / `fake.send_webhook(url, id)` make the thin
`interaction.completed` delivery Google sends, signed by the `standardwebhooks` library
with `fake.webhook_secret`, the secret Google returns when the webhook is registered.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from tests.fakes.http import FakeServer, RecordedRequest, Reply
from tests.fakes.media import make_png
from tests.fakes.scenes import ProductState, clip_from_image, paste_product
from tests.support import encode

API_KEY = "fake-gemini-key"
# What Gemini 3 Pro Image really returns at 1K: close to, not exactly, the asked ratio.
GEMINI_1K = {"1:1": (1024, 1024), "9:16": (768, 1376), "16:9": (1376, 768)}
OMNI_SIZES = {
    ("9:16", "360p"): (360, 640),
    ("16:9", "360p"): (640, 360),
    ("9:16", "720p"): (720, 1280),
    ("16:9", "720p"): (1280, 720),
    ("9:16", "1080p"): (1080, 1920),
    ("16:9", "1080p"): (1920, 1080),
}
NEVER = 10**9
RETIRED = ("gemini-3-pro-image-preview", "gemini-2.5-flash-image-preview")


@dataclass(frozen=True)
class ImageOk:
    """Answer with a PNG; its size follows the asked aspect ratio unless given."""

    size: tuple[int, int] | None = None
    text: str | None = None  # an extra text part before the image, as Gemini sometimes adds
    product: ProductState = "intact"


@dataclass(frozen=True)
class OmniJob:
    """How a background interaction behaves: finished after `polls` gets, then its outcome."""

    polls: int = 1
    status: str = "completed"
    errors: list[dict[str, Any]] | None = None
    mp4: bytes | None = None  # served instead of the clip made from the input image
    blank: bool = False  # a clip in which the product (and everything else) is gone


@dataclass
class Interaction:
    """An interaction the fake created."""

    id: str
    job: OmniJob
    request: dict[str, Any]
    polls: int = 0
    cancelled: bool = False
    finished: bool = False  # ended by `FakeGemini.finish`, whatever the poll count
    video: bytes | None = None

    @property
    def file_id(self) -> str:
        """Its video file's id (the SDK reads only lower-case letters and digits from a URI)."""
        return "video" + self.id.removeprefix("v1_").lower()


def image_ok(
    size: tuple[int, int] | None = None, text: str | None = None, product: ProductState = "intact"
) -> ImageOk:
    """A successful image answer (the product intact, repainted or absent)."""
    return ImageOk(size, text, product)


def omni_ok(polls: int = 1, *, mp4: bytes | None = None, blank: bool = False) -> OmniJob:
    """An interaction that completes with one video after `polls` status checks."""
    return OmniJob(polls=polls, mp4=mp4, blank=blank)


def omni_failed(
    message: str = "The request was blocked by safety filters.",
    code: str = "SAFETY",
    polls: int = 1,
) -> OmniJob:
    """An interaction that ends `failed` with an error (how a safety refusal comes back)."""
    return OmniJob(polls=polls, status="failed", errors=[{"code": code, "message": message}])


def omni_ended(status: str, polls: int = 1) -> OmniJob:
    """An interaction that ends in another terminal status (incomplete, budget_exceeded...)."""
    return OmniJob(polls=polls, status=status)


def omni_never_done() -> OmniJob:
    """An interaction that stays in progress forever."""
    return OmniJob(polls=NEVER)


def omni_until_finished(status: str = "completed") -> OmniJob:
    """An interaction in progress until the test calls `fake.finish(id)`, then `status`."""
    errors = [{"code": "SAFETY", "message": "Blocked by safety filters."}]
    return OmniJob(polls=NEVER, status=status, errors=errors if status == "failed" else None)


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


def retired_model(model: str) -> Reply:
    """What Google answers for a shut-down model id."""
    return http_error(
        404,
        "NOT_FOUND",
        f"models/{model} is not found for API version v1beta, or is no longer "
        "available. Call ListModels to see the list of available models.",
    )


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


def b64bytes(text: str) -> bytes:
    """Decode base64 as the SDK writes it (URL-safe alphabet, padding optional)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _candidate(candidate: dict[str, Any]) -> Reply:
    return Reply(200, {"candidates": [{"index": 0, **candidate}], "modelVersion": "fake"})


@dataclass
class _Script:
    image: deque[Reply | ImageOk] = field(default_factory=deque)
    video: deque[Reply | OmniJob] = field(default_factory=deque)
    poll: deque[Reply] = field(default_factory=deque)
    download: deque[Reply] = field(default_factory=deque)


def _b64_any(text: str) -> bytes:
    """Decode base64 in either alphabet (the SDK's Part bytes are URL-safe)."""
    return base64.b64decode(text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4))


class FakeGemini(FakeServer):
    """The fake Gemini server; see the module docstring."""

    def __init__(self, api_key: str = API_KEY) -> None:
        super().__init__()
        self.api_key = api_key
        self.interactions: dict[str, Interaction] = {}
        self._script = _Script()
        self._ids = itertools.count(1)
        self.webhook_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()

    def script(
        self,
        *,
        image: list[Reply | ImageOk] | tuple[Reply | ImageOk, ...] = (),
        video: list[Reply | OmniJob] | tuple[Reply | OmniJob, ...] = (),
        poll: list[Reply] | tuple[Reply, ...] = (),
        download: list[Reply] | tuple[Reply, ...] = (),
    ) -> None:
        """Queue behaviours: image (generateContent), video (interaction create), poll, download."""
        with self._lock:
            self._script.image.extend(image)
            self._script.video.extend(video)
            self._script.poll.extend(poll)
            self._script.download.extend(download)

    def reset(self) -> None:
        """Forget requests, interactions and queued behaviours."""
        super().reset()
        with self._lock:
            self._script = _Script()
            self.interactions.clear()

    def settings_overrides(self) -> dict[str, Any]:
        """Settings fields that point the engines at this fake."""
        return {"gemini_api_key": self.api_key, "gemini_base_url": self.base_url}

    def env(self) -> dict[str, str]:
        """The same as UGC_* environment variables."""
        return {"UGC_GEMINI_API_KEY": self.api_key, "UGC_GEMINI_BASE_URL": self.base_url}

    # --- webhooks ------------------------------------------------------------------------

    def finish(self, interaction_id: str) -> None:
        """End an interaction now: its next status check answers its final state."""
        with self._lock:
            self.interactions[interaction_id].finished = True

    def signed_webhook(
        self,
        interaction_id: str,
        event: str = "interaction.completed",
        *,
        message_id: str | None = None,
        timestamp: float | None = None,
        secret: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """Headers and body of the delivery Google sends when an interaction ends."""
        moment = datetime.fromtimestamp(time.time() if timestamp is None else timestamp, UTC)
        message_id = message_id or f"msg_{uuid.uuid4().hex}"
        payload = {
            "type": event,
            "version": "v1",
            "timestamp": moment.isoformat().replace("+00:00", "Z"),
            "data": {"id": interaction_id},
        }
        body = json.dumps(payload).encode()
        signature = Webhook(secret or self.webhook_secret).sign(message_id, moment, body.decode())
        headers = {
            "webhook-id": message_id,
            "webhook-timestamp": str(int(moment.timestamp())),
            "webhook-signature": signature,
            "content-type": "application/json",
        }
        return headers, body

    def send_webhook(self, url: str, interaction_id: str, **options: Any) -> httpx.Response:
        """POST the signed delivery to `url`, as Google's webhook service does."""
        headers, body = self.signed_webhook(interaction_id, **options)
        return httpx.post(url, content=body, headers=headers, timeout=10)

    # --- views for assertions -------------------------------------------------------------

    @property
    def image_requests(self) -> list[RecordedRequest]:
        """Recorded generateContent calls."""
        return [r for r in self.requests if r.path.endswith(":generateContent")]

    @property
    def create_requests(self) -> list[RecordedRequest]:
        """Recorded interaction creates (each one would be a paid video)."""
        return [r for r in self.requests if r.method == "POST" and r.path == "/v1beta/interactions"]

    @property
    def poll_requests(self) -> list[RecordedRequest]:
        """Recorded interaction status checks."""
        return [
            r
            for r in self.requests
            if r.method == "GET" and r.path.startswith("/v1beta/interactions/")
        ]

    @property
    def cancel_requests(self) -> list[RecordedRequest]:
        """Recorded interaction cancels."""
        return [r for r in self.requests if r.path.endswith("/cancel")]

    # --- wire -----------------------------------------------------------------------------

    def handle(self, request: RecordedRequest) -> Reply:
        """Route one request like the real API does."""
        if request.headers.get("x-goog-api-key") != self.api_key:
            return bad_api_key()
        path, method = request.path, request.method
        if method == "POST" and path.endswith(":generateContent"):
            return self._generate_content(request)
        if method == "POST" and path == "/v1beta/interactions":
            return self._create(request)
        if path.startswith("/v1beta/interactions/"):
            name = path.removeprefix("/v1beta/interactions/")
            if method == "POST" and name.endswith("/cancel"):
                return self._cancel(name.removesuffix("/cancel"))
            if method == "GET":
                return self._get(name)
        if method == "GET" and path.startswith("/v1beta/files/"):
            return self._download(path.removeprefix("/v1beta/files/").split(":")[0])
        return http_error(404, "NOT_FOUND", f"No route for {method} {path}.")

    def _next(self, queue: deque[Any]) -> Any:
        with self._lock:
            return queue.popleft() if queue else None

    def _generate_content(self, request: RecordedRequest) -> Reply:
        model = request.path.removeprefix("/v1beta/models/").split(":")[0]
        if model in RETIRED:
            return retired_model(model)
        behaviour = self._next(self._script.image) or ImageOk()
        if isinstance(behaviour, Reply):
            return behaviour
        config = (request.json.get("generationConfig") or {}).get("imageConfig") or {}
        size = behaviour.size or GEMINI_1K.get(config.get("aspectRatio", "1:1"), (1024, 1024))
        sent = [p["inlineData"] for p in request.json["contents"][0]["parts"] if "inlineData" in p]
        if len(sent) >= 2:
            person, product = _b64_any(sent[0]["data"]), _b64_any(sent[1]["data"])
            image = encode(paste_product(person, product, size, behaviour.product))
        else:
            image = make_png(*size)
        parts: list[dict[str, Any]] = [{"text": behaviour.text}] if behaviour.text else []
        parts.append(
            {"inlineData": {"mimeType": "image/png", "data": base64.b64encode(image).decode()}}
        )
        content = {"role": "model", "parts": parts}
        return _candidate({"content": content, "finishReason": "STOP"})

    def _create(self, request: RecordedRequest) -> Reply:
        behaviour = self._next(self._script.video) or OmniJob()
        if isinstance(behaviour, Reply):
            return behaviour
        body = request.json
        if not body.get("background"):
            return http_error(400, "INVALID_ARGUMENT", "Video generation requires background=true.")
        interaction = Interaction(
            f"v1_fake{next(self._ids)}{uuid.uuid4().hex[:10]}", behaviour, body
        )
        with self._lock:
            self.interactions[interaction.id] = interaction
        return Reply(200, self._body(interaction, "in_progress"))

    def _get(self, interaction_id: str) -> Reply:
        scripted = self._next(self._script.poll)
        if scripted is not None:
            return scripted
        with self._lock:
            interaction = self.interactions.get(interaction_id)
            if interaction is None:
                return http_error(404, "NOT_FOUND", f"Interaction {interaction_id} not found.")
            if interaction.cancelled:
                return Reply(200, self._body(interaction, "cancelled"))
            interaction.polls += 1
            if not interaction.finished and interaction.polls < interaction.job.polls:
                return Reply(200, self._body(interaction, "in_progress"))
        return Reply(200, self._finished(interaction))

    def _cancel(self, interaction_id: str) -> Reply:
        with self._lock:
            interaction = self.interactions.get(interaction_id)
            if interaction is None:
                return http_error(404, "NOT_FOUND", f"Interaction {interaction_id} not found.")
            interaction.cancelled = True
        return Reply(200, self._body(interaction, "cancelled"))

    def _download(self, file_id: str) -> Reply:
        scripted = self._next(self._script.download)
        if scripted is not None:
            return scripted
        interaction = next((i for i in self.interactions.values() if i.file_id == file_id), None)
        if interaction is None or interaction.video is None:
            return http_error(404, "NOT_FOUND", f"File {file_id} not found.")
        return Reply(200, interaction.video, {"Content-Type": "video/mp4"})

    def _body(self, interaction: Interaction, status: str) -> dict[str, Any]:
        return {
            "id": interaction.id,
            "object": "interaction",
            "model": interaction.request.get("model"),
            "status": status,
            "created": "2026-12-01T10:00:00Z",
            "updated": "2026-12-01T10:00:00Z",
        }

    def _finished(self, interaction: Interaction) -> dict[str, Any]:
        job = interaction.job
        body = self._body(interaction, job.status)
        if job.status != "completed":
            if job.errors:
                body["errors"] = job.errors
            return body
        video = self._render(interaction)
        fmt = interaction.request.get("response_format") or {}
        if fmt.get("delivery") == "uri":
            uri = (
                "https://generativelanguage.googleapis.com/v1beta/files/"
                f"{interaction.file_id}:download?alt=media"
            )
            content = {"type": "video", "mime_type": "video/mp4", "uri": uri}
        else:
            content = {
                "type": "video",
                "mime_type": "video/mp4",
                "data": base64.b64encode(video).decode(),
            }
        body["steps"] = [
            {"type": "thought", "signature": "fake-thought"},
            {"type": "model_output", "content": [content]},
        ]
        return body

    def _render(self, interaction: Interaction) -> bytes:
        with self._lock:
            if interaction.video is not None:
                return interaction.video
        fmt = interaction.request.get("response_format") or {}
        size = OMNI_SIZES[(fmt.get("aspect_ratio", "16:9"), fmt.get("resolution", "720p"))]
        video = interaction.job.mp4
        if video is None:
            image = self._input_image(interaction.request)
            video = clip_from_image(image or make_png(*size), size, blank=interaction.job.blank)
        with self._lock:
            interaction.video = video
        return video

    @staticmethod
    def _input_image(body: dict[str, Any]) -> bytes | None:
        turns = body.get("input") or []
        for turn in turns if isinstance(turns, list) else []:
            items = turn.get("content", [turn]) if isinstance(turn, dict) else []
            for item in items if isinstance(items, list) else [items]:
                if isinstance(item, dict) and item.get("type") == "image" and item.get("data"):
                    return _b64_any(item["data"])
        return None

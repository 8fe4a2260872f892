"""A local fake of Cloudinary's Upload API (upload, destroy) and its delivery URLs.

Checks request signatures with the account secret like the real service, stores uploads in
memory and serves them at /{cloud}/{resource_type}/upload/[transformations/][vN/]{id}.{fmt}.
Script failures per test: `fake.script(upload=[server_error()])`.
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP

import cloudinary.utils

from tests.fakes.http import FakeServer, RecordedRequest, Reply

API_KEY, API_SECRET, CLOUD = "123456789012345", "fake-cloudinary-secret", "demo-cloud"
_TRANSFORMATION = re.compile(r"^[a-z]{1,3}_")
_VERSION = re.compile(r"^v\d+$")


@dataclass(frozen=True)
class StoredAsset:
    """An uploaded asset."""

    public_id: str
    resource_type: str
    format: str | None
    data: bytes
    version: int


def error(status: int, message: str) -> Reply:
    """A Cloudinary error answer."""
    return Reply(status, {"error": {"message": message}})


def server_error() -> Reply:
    """500 from the Upload API."""
    return error(500, "General Error")


def parse_form(request: RecordedRequest) -> dict[str, str | bytes]:
    """The fields of a multipart/form-data body (file fields as bytes)."""
    content_type = request.headers.get("content-type", "")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.body)
    fields: dict[str, str | bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is None:
            fields[str(name)] = payload.decode()
        else:
            fields[str(name)] = payload
    return fields


class FakeCloudinary(FakeServer):
    """The fake Cloudinary server; see the module docstring."""

    def __init__(self, api_key: str = API_KEY, api_secret: str = API_SECRET) -> None:
        super().__init__()
        self.api_key, self.api_secret, self.cloud = api_key, api_secret, CLOUD
        self.assets: dict[tuple[str, str], StoredAsset] = {}
        self._upload: deque[Reply] = deque()
        self._destroy: deque[Reply] = deque()
        self._download: deque[Reply] = deque()

    @property
    def storage_url(self) -> str:
        """A UGC_STORAGE_URL that points CloudinaryStorage at this fake."""
        return (
            f"cloudinary://{self.api_key}:{self.api_secret}@{self.cloud}"
            f"?upload_prefix={self.base_url}&delivery_prefix={self.base_url}"
        )

    def env(self) -> dict[str, str]:
        """The environment an end-to-end test sets."""
        return {"UGC_STORAGE_URL": self.storage_url}

    @property
    def objects_by_public_id(self) -> dict[str, StoredAsset]:
        """Stored assets keyed by public id alone."""
        return {public_id: asset for (_, public_id), asset in self.assets.items()}

    def script(
        self,
        *,
        upload: tuple[Reply, ...] | list[Reply] = (),
        destroy: tuple[Reply, ...] | list[Reply] = (),
        download: tuple[Reply, ...] | list[Reply] = (),
    ) -> None:
        """Queue replies for the next upload / destroy / delivery requests."""
        with self._lock:
            self._upload.extend(upload)
            self._destroy.extend(destroy)
            self._download.extend(download)

    def reset(self) -> None:
        """Forget requests, assets and scripted replies."""
        super().reset()
        with self._lock:
            self.assets.clear()
            self._upload.clear()
            self._destroy.clear()
            self._download.clear()

    def handle(self, request: RecordedRequest) -> Reply:
        """Route like api.cloudinary.com and res.cloudinary.com."""
        parts = request.path.strip("/").split("/")
        if request.method == "POST" and parts[:2] == ["v1_1", self.cloud] and len(parts) == 4:
            queue = self._upload if parts[3] == "upload" else self._destroy
            scripted = self._pop(queue)
            if scripted is not None:
                return scripted
            return self._api(parts[2], parts[3], parse_form(request))
        if request.method == "GET" and parts[:1] == [self.cloud] and parts[2:3] == ["upload"]:
            return self._pop(self._download) or self._deliver(parts[1], parts[3:])
        return error(404, f"No route for {request.method} {request.path}")

    def _pop(self, queue: deque[Reply]) -> Reply | None:
        with self._lock:
            return queue.popleft() if queue else None

    def _api(self, resource_type: str, action: str, form: dict[str, str | bytes]) -> Reply:
        if form.get("api_key") != self.api_key:
            return error(401, "Invalid api_key")
        signed = {
            k: v
            for k, v in form.items()
            if k not in ("file", "api_key", "signature") and isinstance(v, str)
        }
        if cloudinary.utils.api_sign_request(signed, self.api_secret) != form.get("signature"):
            return error(401, "Invalid Signature")
        public_id = str(form.get("public_id") or "")
        if action == "destroy":
            with self._lock:
                gone = self.assets.pop((resource_type, public_id), None)
            return Reply(200, {"result": "ok" if gone else "not found"})
        if action != "upload":
            return error(404, f"Unknown action {action}")
        return self._store(resource_type, public_id, form.get("file", b""))

    def _store(self, resource_type: str, public_id: str, data: str | bytes) -> Reply:
        if not isinstance(data, bytes) or not data:
            return error(400, "Missing required parameter - file")
        fmt = _sniff(data) if resource_type != "raw" else None
        version = int(time.time())
        asset = StoredAsset(public_id, resource_type, fmt, data, version)
        with self._lock:
            self.assets[(resource_type, public_id)] = asset
        path = f"{self.cloud}/{resource_type}/upload/v{version}/{public_id}" + (
            f".{fmt}" if fmt else ""
        )
        return Reply(
            200,
            {
                "public_id": public_id,
                "version": version,
                "resource_type": resource_type,
                "type": "upload",
                "format": fmt,
                "bytes": len(data),
                "url": f"{self.base_url}/{path}",
                "secure_url": f"{self.base_url}/{path}",
            },
        )

    def _deliver(self, resource_type: str, segments: list[str]) -> Reply:
        flags = [s for s in segments if _TRANSFORMATION.match(s)]
        rest = [s for s in segments if not _TRANSFORMATION.match(s) and not _VERSION.match(s)]
        name = "/".join(rest)
        public_id = name if resource_type == "raw" else name.rsplit(".", 1)[0]
        with self._lock:
            asset = self.assets.get((resource_type, public_id))
        if asset is None:
            return error(404, "Resource not found")
        headers = {"Content-Type": "application/octet-stream"}
        attachment = next((f for f in flags if f.startswith("fl_attachment")), None)
        if attachment:
            filename = attachment.partition(":")[2] or "download"
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return Reply(200, asset.data, headers)


def _sniff(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "png"
    if data.startswith(b"\xff\xd8"):
        return "jpg"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return "bin"

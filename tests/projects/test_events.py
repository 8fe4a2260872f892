"""Server-sent events push progress, the finished project and the new balance."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.live_server import LiveServer
from tests.support import create_project, signup

pytestmark = pytest.mark.xdist_group("cli")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_events_stream_until_ready(settings_factory, tmp_path):
    with LiveServer(settings_factory(), tmp_path / "serve.log") as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as client:
            await signup(client)
            project_id = (await create_project(client)).json()["projectId"]
            events = []
            async with client.stream("GET", f"/api/user/projects/{project_id}/events") as stream:
                assert stream.headers["content-type"].startswith("text/event-stream")
                name = None
                async for line in stream.aiter_lines():
                    if line.startswith("event: "):
                        name = line.removeprefix("event: ")
                    elif line.startswith("data: ") and name == "project":
                        events.append(json.loads(line.removeprefix("data: ")))
                        if events[-1]["project"]["status"] == "ready":
                            break
    final = events[-1]
    assert final["project"]["generatedImage"] and final["credits"] == 15
    assert all(e["project"]["id"] == project_id for e in events)

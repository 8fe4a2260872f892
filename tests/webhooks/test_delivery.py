"""Deliveries reach a real endpoint signed, at least once, with backoff, and are logged."""

from __future__ import annotations

import asyncio
import itertools
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.conftest import ClientFactory
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.support import create_project, encode, signup, wait_for_project
from ugc.webhooks.models import WebhookEndpoint
from ugc.webhooks.signing import new_secret

LOCAL = {
    "webhook_allow_private": True,
    "webhook_allow_http": True,
    "webhook_poll_seconds": 0.05,
    "webhook_retry_base_seconds": 0.2,
}


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    """A customer's endpoint on 127.0.0.1."""
    with WebhookReceiver() as server:
        assert isinstance(server, WebhookReceiver)
        yield server


async def register(
    client: httpx.AsyncClient, receiver: WebhookReceiver, events: list[str] | None = None
) -> dict[str, object]:
    """Register the receiver and give it the secret we issued."""
    response = await client.post(
        "/api/webhooks/endpoints",
        json={"url": receiver.url, "events": events or ["project.image.succeeded"]},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    receiver.secret = body["secret"]
    assert body["secret"].startswith("whsec_")
    endpoint: dict[str, object] = body["endpoint"]
    return endpoint


async def test_a_test_event_arrives_signed_and_is_logged(
    make_client: ClientFactory, receiver: WebhookReceiver
) -> None:
    client = await make_client(**LOCAL)
    await signup(client)
    endpoint = await register(client, receiver)
    sent = await client.post(f"/api/webhooks/endpoints/{endpoint['id']}/test")
    assert sent.status_code == 202
    [arrival] = await asyncio.to_thread(receiver.wait_for, 1)
    assert arrival.verified
    assert arrival.webhook_id == sent.json()["deliveryId"]
    assert arrival.event is not None and arrival.event["type"] == "webhook.test"
    log = await _attempts_when(client, endpoint["id"], lambda a: len(a) == 1)
    assert log[0]["statusCode"] == 204 and log[0]["deliveryStatus"] == "succeeded"
    listed = (await client.get("/api/webhooks/endpoints")).json()["endpoints"]
    assert [e["id"] for e in listed] == [endpoint["id"]] and "secret" not in listed[0]


async def test_failures_retry_with_backoff_and_the_same_id_then_stop(
    make_client: ClientFactory, receiver: WebhookReceiver
) -> None:
    client = await make_client(**LOCAL, webhook_max_attempts=4)
    await signup(client)
    endpoint = await register(client, receiver)
    receiver.answer_next(500, 500, 500, 500, 500)
    await client.post(f"/api/webhooks/endpoints/{endpoint['id']}/test")
    arrivals = await asyncio.to_thread(receiver.wait_for, 4)
    assert len({a.webhook_id for a in arrivals}) == 1
    assert all(a.verified for a in arrivals)
    gaps = [b.arrived - a.arrived for a, b in itertools.pairwise(arrivals)]
    # base 0.2 s x 3^(n-1): 0.2, 0.6, 1.8 s; each gap at least its delay, and growing.
    assert gaps[0] >= 0.2 and gaps[1] >= 0.6 and gaps[2] >= 1.8
    assert gaps[0] < gaps[1] < gaps[2]
    log = await _attempts_when(client, endpoint["id"], lambda a: len(a) == 4)
    assert {a["deliveryStatus"] for a in log} == {"failed"}
    await asyncio.sleep(2.5)  # past the next delay the schedule would have had
    assert len(receiver.received) == 4


async def test_a_disabled_endpoint_gets_nothing_and_deleting_it_works(
    make_client: ClientFactory, receiver: WebhookReceiver
) -> None:
    client = await make_client(**LOCAL)
    await signup(client)
    endpoint = await register(client, receiver)
    changed = await client.patch(
        f"/api/webhooks/endpoints/{endpoint['id']}", json={"enabled": False}
    )
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    other = await client.post(
        "/api/webhooks/endpoints", json={"url": receiver.url, "events": ["nope"]}
    )
    assert other.status_code == 422 and other.json()["error"] == "invalid_input"
    deleted = await client.delete(f"/api/webhooks/endpoints/{endpoint['id']}")
    assert deleted.status_code == 204
    gone = await client.get(f"/api/webhooks/endpoints/{endpoint['id']}/attempts")
    assert gone.status_code == 404


async def test_other_users_cannot_see_or_touch_an_endpoint(
    make_client: ClientFactory, receiver: WebhookReceiver
) -> None:
    owner = await make_client(**LOCAL)
    await signup(owner)
    endpoint = await register(owner, receiver)
    stranger = httpx.AsyncClient(transport=owner._transport, base_url="http://testserver")
    async with stranger:
        await signup(stranger)
        for method, path in (
            ("PATCH", f"/api/webhooks/endpoints/{endpoint['id']}"),
            ("DELETE", f"/api/webhooks/endpoints/{endpoint['id']}"),
            ("POST", f"/api/webhooks/endpoints/{endpoint['id']}/test"),
            ("GET", f"/api/webhooks/endpoints/{endpoint['id']}/attempts"),
        ):
            response = await stranger.request(method, path, json={"enabled": False})
            assert response.status_code == 404, (method, path)
        assert (await stranger.get("/api/webhooks/endpoints")).json()["endpoints"] == []


async def test_refused_urls_are_explained(make_client: ClientFactory) -> None:
    client = await make_client()
    await signup(client)
    for url in ("http://example.com/hook", "https://127.0.0.1/hook", "https://[::1]:8443/x"):
        response = await client.post(
            "/api/webhooks/endpoints", json={"url": url, "events": ["project.failed"]}
        )
        assert response.status_code == 422, url
        assert response.json()["error"] == "webhook_url_refused"


async def _attempts_when(
    client: httpx.AsyncClient, endpoint_id: object, ready: object
) -> list[dict[str, object]]:
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        attempts = (await client.get(f"/api/webhooks/endpoints/{endpoint_id}/attempts")).json()[
            "attempts"
        ]
        if ready(attempts):  # type: ignore[operator]
            return list(attempts)
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(json.dumps(attempts))
        await asyncio.sleep(0.05)


async def test_the_address_is_checked_again_when_delivering(
    make_client: ClientFactory, receiver: WebhookReceiver
) -> None:
    """A URL accepted at registration is refused at delivery once it resolves privately.

    The endpoint is stored as registration left it when its name still resolved to a public
    address; by delivery time the name points at 127.0.0.1 (DNS rebinding).
    """
    client = await make_client(**{**LOCAL, "webhook_allow_private": False})
    user = await signup(client)
    endpoint = WebhookEndpoint(
        user_id=uuid.UUID(user["id"]),
        url=receiver.url.replace("127.0.0.1", "localhost"),
        events=["project.image.succeeded"],
        description="",
        secret=new_secret(),
        enabled=True,
    )
    async with client.app.state.db.session() as session:  # type: ignore[attr-defined]
        session.add(endpoint)
        await session.commit()
    sent = await client.post(f"/api/webhooks/endpoints/{endpoint.id}/test")
    assert sent.status_code == 202
    log = await _attempts_when(client, endpoint.id, lambda a: len(a) >= 1)
    assert log[0]["statusCode"] is None
    assert "private or local" in str(log[0]["error"])
    assert receiver.received == []


async def test_each_finished_generation_is_announced_once(
    make_client: ClientFactory, receiver: WebhookReceiver
) -> None:
    """project.image.succeeded and project.video.succeeded, each once, carrying the project."""
    client = await make_client(**LOCAL)
    await signup(client)
    await register(client, receiver, ["project.image.succeeded", "project.video.succeeded"])
    project_id = (await create_project(client)).json()["projectId"]
    [image_event] = await asyncio.to_thread(receiver.wait_for, 1)
    assert image_event.verified and image_event.event is not None
    assert image_event.event["type"] == "project.image.succeeded"
    body = image_event.event["data"]["project"]
    assert body["id"] == project_id and body["status"] == "ready" and body["generatedImage"]
    await wait_for_project(client, project_id)
    video = await client.post("/api/project/video", json={"projectId": project_id})
    assert video.status_code == 202
    arrivals = await asyncio.to_thread(receiver.wait_for, 2, 90)
    assert [a.event["type"] for a in arrivals if a.event] == [
        "project.image.succeeded",
        "project.video.succeeded",
    ]
    assert len({a.webhook_id for a in arrivals}) == 2
    await wait_for_project(client, project_id, lambda p: p["generatedVideo"] is not None)
    await asyncio.sleep(1.0)  # nothing more comes: each success is told once
    assert len(receiver.received) == 2


async def test_a_failed_generation_is_announced_with_its_refund(
    make_client: ClientFactory, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    client = await make_client(**LOCAL)
    await signup(client)
    await register(client, receiver, ["project.failed"])
    # Passes every upload check, but the engine finds nothing to place: a real failure.
    blank = Image.new("RGBA", (600, 600), (0, 0, 0, 0))
    blank.putpixel((300, 300), (255, 0, 0, 255))
    created = await create_project(client, product=encode(blank, "PNG"))
    assert created.status_code == 201, created.text
    [arrival] = await asyncio.to_thread(receiver.wait_for, 1, 60)
    assert arrival.verified and arrival.event is not None
    event = arrival.event
    assert event["type"] == "project.failed"
    assert event["data"]["refunded"] is True and event["data"]["refundedCredits"] == 5
    assert event["data"]["project"]["id"] == created.json()["projectId"]

"""Idempotency-Key on the routes that charge: a retried request is charged once."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.support import create_project, person_photo, product_photo, signup, wait_for_project


def _key() -> str:
    return f"test-{uuid.uuid4()}"


async def test_ten_concurrent_retries_make_one_project_and_one_charge(client: httpx.AsyncClient):
    await signup(client)
    key = _key()
    person, product = person_photo(), product_photo()
    attempts = await asyncio.gather(
        *(_create(client, key, person=person, product=product) for _ in range(10))
    )
    created = [r for r in attempts if r.status_code == 201]
    assert created, [r.text for r in attempts]
    assert {r.status_code for r in attempts} <= {201, 409}
    for conflict in (r for r in attempts if r.status_code == 409):
        assert conflict.json()["error"] == "idempotency_key_in_flight"
    assert len({r.json()["projectId"] for r in created}) == 1
    project_id = created[0].json()["projectId"]
    again = await _create(client, key, person=person, product=product)
    assert again.status_code == 201 and again.json() == created[0].json()
    assert again.headers["idempotent-replayed"] == "true"
    listed = (await client.get("/api/user/projects")).json()["projects"]
    assert [p["id"] for p in listed] == [project_id]
    assert (await client.get("/api/user/me")).json()["credits"] == 15
    await wait_for_project(client, project_id)


async def test_the_same_key_with_other_input_is_refused(client: httpx.AsyncClient):
    await signup(client)
    key = _key()
    first = await _create(client, key)
    assert first.status_code == 201
    other = await _create(client, key, productName="Another Product")
    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"
    assert (await client.get("/api/user/me")).json()["credits"] == 15
    await wait_for_project(client, first.json()["projectId"])


async def test_keys_belong_to_their_user(make_client):
    first = await make_client()
    await signup(first)
    second = httpx.AsyncClient(transport=first._transport, base_url="http://testserver")
    async with second:
        await signup(second)
        key = _key()
        mine = await _create(first, key)
        theirs = await _create(second, key)
        assert mine.status_code == theirs.status_code == 201
        assert mine.json()["projectId"] != theirs.json()["projectId"]
        for client, response in ((first, mine), (second, theirs)):
            await wait_for_project(client, response.json()["projectId"])


async def test_a_request_that_failed_frees_its_key(client: httpx.AsyncClient):
    await signup(client)
    key = _key()
    refused = await _create(client, key, product=b"not an image at all" * 20)
    assert refused.status_code in (415, 422)
    fixed = await _create(client, key)
    assert fixed.status_code == 201, fixed.text
    assert (await client.get("/api/user/me")).json()["credits"] == 15
    await wait_for_project(client, fixed.json()["projectId"])


async def test_a_video_retried_with_its_key_is_charged_once(client: httpx.AsyncClient):
    await signup(client)
    project_id = (await create_project(client)).json()["projectId"]
    await wait_for_project(client, project_id)
    key = _key()
    body = {"projectId": project_id}
    first, second = [
        await client.post("/api/project/video", json=body, headers={"Idempotency-Key": key})
        for _ in range(2)
    ]
    assert first.status_code == second.status_code == 202
    assert second.headers["idempotent-replayed"] == "true"
    assert (await client.get("/api/user/me")).json()["credits"] == 5
    await wait_for_project(client, project_id)


async def test_a_malformed_key_is_a_clear_422(client: httpx.AsyncClient):
    await signup(client)
    response = await _create(client, "bad key with spaces")
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert (await client.get("/api/user/me")).json()["credits"] == 20


async def _create(client: httpx.AsyncClient, key: str, **fields: object) -> httpx.Response:
    photos = {k: fields.pop(k) for k in ("person", "product") if k in fields}
    files = {
        "userImage": ("person.jpg", photos.get("person") or person_photo(), "image/jpeg"),
        "productImage": ("product.png", photos.get("product") or product_photo(), "image/png"),
    }
    data = {"productName": "Aqua Bottle", "aspectRatio": "9:16", **fields}
    return await client.post(
        "/api/project/create", data=data, files=files, headers={"Idempotency-Key": key}
    )

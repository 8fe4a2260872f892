"""Variants: several ads from one upload, charged all together or not at all."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.support import person_photo, product_photo, signup, wait_for_project


async def _variants(client: httpx.AsyncClient, variants: object) -> httpx.Response:
    return await client.post(
        "/api/project/variants",
        data={
            "productName": "Aqua Bottle",
            "userPrompt": "morning gym vibe",
            "variants": json.dumps(variants),
        },
        files={
            "userImage": ("person.jpg", person_photo(), "image/jpeg"),
            "productImage": ("product.png", product_photo(), "image/png"),
        },
    )


def _uploads(media: Path) -> list[Path]:
    return sorted(p for p in (media / "uploads").rglob("*") if p.is_file())


FOUR = [
    {"aspectRatio": "9:16", "prompt": "Hook one: before the gym", "caption": True},
    {"aspectRatio": "16:9", "prompt": "Hook two: after the run", "caption": True},
    {"aspectRatio": "1:1", "prompt": "", "caption": False},
    {"aspectRatio": "9:16", "prompt": "Hook four", "caption": False},
]


async def test_five_variants_with_twenty_credits_charge_nothing(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await signup(client)
    response = await _variants(client, [*FOUR, {"aspectRatio": "9:16"}])
    assert response.status_code == 402
    assert response.json()["error"] == "insufficient_credits"
    assert (await client.get("/api/user/me")).json()["credits"] == 20
    assert (await client.get("/api/user/projects")).json()["projects"] == []
    assert _uploads(tmp_path / "media") == []


async def test_four_variants_share_one_upload_and_spend_the_balance(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    await signup(client)
    response = await _variants(client, FOUR)
    assert response.status_code == 201, response.text
    body = response.json()
    ids = body["projectIds"]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert (await client.get("/api/user/me")).json()["credits"] == 0
    projects = [await wait_for_project(client, project_id) for project_id in ids]
    assert {p["status"] for p in projects} == {"ready"}
    assert {p["variantGroup"] for p in projects} == {body["variantGroup"]}
    assert [p["aspectRatio"] for p in projects] == ["9:16", "16:9", "1:1", "9:16"]
    assert [p["showCaption"] for p in projects] == [True, True, False, False]
    assert projects[0]["userPrompt"] == "Hook one: before the gym"
    assert projects[2]["userPrompt"] == "morning gym vibe"  # no hook: the brief's prompt
    assert len(_uploads(tmp_path / "media")) == 2  # one person photo, one product photo

    # The shared photos stay while any variant uses them, and go with the last one.
    for project_id in ids[:3]:
        assert (await client.delete(f"/api/project/{project_id}")).status_code == 204
        assert len(_uploads(tmp_path / "media")) == 2
    assert (await client.delete(f"/api/project/{ids[3]}")).status_code == 204
    assert _uploads(tmp_path / "media") == []


async def test_concurrent_deletes_of_the_last_variants_leave_no_files(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    import asyncio

    await signup(client)
    ids = (await _variants(client, FOUR[:2])).json()["projectIds"]
    for project_id in ids:
        await wait_for_project(client, project_id)
    results = await asyncio.gather(*(client.delete(f"/api/project/{i}") for i in ids))
    assert [r.status_code for r in results] == [204, 204]
    assert _uploads(tmp_path / "media") == []
    assert list((tmp_path / "media").rglob("*.png")) == []


async def test_bad_variant_lists_are_explained(client: httpx.AsyncClient) -> None:
    await signup(client)
    for variants, words in [
        ("not json", "JSON list"),
        ([], "at least one"),
        ([{"aspectRatio": "9:16"}] * 9, "At most 8"),
        ([{"aspectRatio": "4:3"}], "aspect ratio"),
        ([{"prompt": 5}], "prompt must be text"),
        (["x"], "must be an object"),
    ]:
        response = await client.post(
            "/api/project/variants",
            data={
                "productName": "Aqua Bottle",
                "variants": variants if isinstance(variants, str) else json.dumps(variants),
            },
            files={
                "userImage": ("person.jpg", person_photo(), "image/jpeg"),
                "productImage": ("product.png", product_photo(), "image/png"),
            },
        )
        assert response.status_code == 422, variants
        assert words in response.json()["detail"], response.json()
    assert (await client.get("/api/user/me")).json()["credits"] == 20

"""A project's life over the API: create, generate, read, list, video, publish, delete."""

from __future__ import annotations

import io

from PIL import Image

from tests.support import create_project, signup, wait_for_project


async def _ready_project(client, **fields) -> dict:
    response = await create_project(client, **fields)
    assert response.status_code == 201, response.text
    project_id = response.json()["projectId"]
    return await wait_for_project(client, project_id)


async def test_create_charges_five_and_the_image_arrives(client):
    await signup(client)
    response = await create_project(client, name="Launch", aspectRatio="16:9")
    assert response.status_code == 201
    project_id = response.json()["projectId"]
    assert (await client.get("/api/user/credits")).json() == {"credits": 15}
    project = await wait_for_project(client, project_id)
    assert project["status"] == "ready", project["error"]
    assert project["isGenerating"] is False
    assert project["progress"] == 1.0
    assert project["name"] == "Launch" and project["productName"] == "Aqua Bottle"
    assert project["aspectRatio"] == "16:9"
    assert project["generatedVideo"] is None and project["isPublished"] is False
    image = await client.get(project["generatedImage"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (1920, 1080)
    for field in ("userImage", "productImage"):
        assert (await client.get(project[field])).status_code == 200
    history = (await client.get("/api/user/credits/history")).json()["entries"]
    newest = history[0]
    assert (newest["delta"], newest["reason"], newest["projectId"]) == (
        -5,
        "image",
        project_id,
    )


async def test_media_urls_are_signed_and_expire(client):
    await signup(client)
    project = await _ready_project(client)
    url = project["generatedImage"]
    assert "sig=" in url and "exp=" in url
    forged = url.replace("sig=", "sig=0")
    assert (await client.get(forged)).status_code == 404
    expired = url.split("?")[0] + "?exp=1000&sig=" + url.split("sig=")[1]
    assert (await client.get(expired)).status_code == 404


async def test_video_rules_and_charge(client):
    await signup(client)
    response = await create_project(client)
    project_id = response.json()["projectId"]
    early = await client.post("/api/project/video", json={"projectId": project_id})
    # Before the image exists: 400 (or 409 while the image job is still running).
    assert early.json()["error"] in ("image_required", "project_busy")
    await wait_for_project(client, project_id)
    accepted = await client.post("/api/project/video", json={"projectId": project_id})
    assert accepted.status_code == 202 and accepted.json() == {"projectId": project_id}
    assert (await client.get("/api/user/credits")).json() == {"credits": 5}
    busy = await client.post("/api/project/video", json={"projectId": project_id})
    assert busy.status_code == 409 and busy.json()["error"] == "project_busy"
    project = await wait_for_project(client, project_id, within=120)
    assert project["status"] == "ready", project["error"]
    video = await client.get(project["generatedVideo"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    again = await client.post("/api/project/video", json={"projectId": project_id})
    assert again.status_code == 409 and again.json()["error"] == "video_exists"
    assert (await client.get("/api/user/credits")).json() == {"credits": 5}


async def test_video_needs_credits(make_client):
    client = await make_client(signup_credits=12)
    await signup(client)
    project = await _ready_project(client)
    response = await client.post("/api/project/video", json={"projectId": project["id"]})
    assert response.status_code == 402
    assert response.json()["error"] == "insufficient_credits"
    assert (await client.get("/api/user/credits")).json() == {"credits": 7}
    refreshed = (await client.get(f"/api/user/projects/{project['id']}")).json()["project"]
    assert refreshed["status"] == "ready" and not refreshed["isGenerating"]


async def test_create_needs_credits_and_stores_nothing(make_client, tmp_path):
    client = await make_client(signup_credits=4)
    await signup(client)
    response = await create_project(client)
    assert response.status_code == 402
    assert response.json()["error"] == "insufficient_credits"
    assert (await client.get("/api/user/projects")).json()["projects"] == []
    media = tmp_path / "media"
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


async def test_list_is_newest_first_and_paginated(client):
    await signup(client)
    ids = []
    for index in range(3):
        response = await create_project(client, name=f"P{index}")
        ids.append(response.json()["projectId"])
    first = (await client.get("/api/user/projects", params={"limit": 2})).json()
    assert [p["id"] for p in first["projects"]] == [ids[2], ids[1]]
    assert first["nextCursor"]
    second = (
        await client.get("/api/user/projects", params={"limit": 2, "cursor": first["nextCursor"]})
    ).json()
    assert [p["id"] for p in second["projects"]] == [ids[0]]
    assert second["nextCursor"] is None
    bad = await client.get("/api/user/projects", params={"cursor": "garbage!"})
    assert bad.status_code == 422
    for project_id in ids:
        await wait_for_project(client, project_id)


async def test_publish_and_community_feed_shows_public_fields_only(client):
    user = await signup(client)
    project = await _ready_project(client, productDescription="Keeps water cold for 24h")
    published = await client.post(
        "/api/project/publish", json={"projectId": project["id"], "isPublished": True}
    )
    assert published.status_code == 200 and published.json() == {"isPublished": True}
    client.cookies.clear()
    feed = (await client.get("/api/project/published")).json()
    assert [p["id"] for p in feed["projects"]] == [project["id"]]
    entry = feed["projects"][0]
    assert user["id"] not in str(feed) and user["email"] not in str(feed)
    assert "userImage" not in entry and "productImage" not in entry and "userId" not in entry
    stable = entry["generatedImage"]
    assert stable.endswith(f"/media/published/{project['id']}/image.png")
    image = await client.get(stable)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    download = await client.get(stable + "?download")
    assert "attachment" in download.headers["content-disposition"]


async def test_unpublish_removes_from_feed_and_stable_url(client):
    await signup(client)
    project = await _ready_project(client)
    body = {"projectId": project["id"], "isPublished": True}
    await client.post("/api/project/publish", json=body)
    await client.post("/api/project/publish", json={**body, "isPublished": False})
    assert (await client.get("/api/project/published")).json()["projects"] == []
    stable = await client.get(f"/media/published/{project['id']}/image.png")
    assert stable.status_code == 404


async def test_publish_and_video_need_an_image(make_client):
    client = await make_client(
        image_engine="gemini",
        gemini_api_key="k",
        gemini_base_url="http://127.0.0.1:9",
        job_max_attempts=1,
    )
    await signup(client)
    response = await create_project(client)
    project_id = response.json()["projectId"]
    project = await wait_for_project(client, project_id)
    assert project["generatedImage"] is None
    refused = await client.post(
        "/api/project/publish", json={"projectId": project_id, "isPublished": True}
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "image_required"
    video = await client.post("/api/project/video", json={"projectId": project_id})
    assert video.status_code == 400 and video.json()["error"] == "image_required"
    assert (await client.get("/api/user/credits")).json() == {"credits": 20}


async def test_delete_removes_project_and_files(client, tmp_path):
    await signup(client)
    project = await _ready_project(client)
    files = [p for p in (tmp_path / "media").rglob("*") if p.is_file()]
    assert len(files) >= 3
    response = await client.delete(f"/api/project/{project['id']}")
    assert response.status_code == 204
    assert (await client.get(f"/api/user/projects/{project['id']}")).status_code == 404
    assert [p for p in (tmp_path / "media").rglob("*") if p.is_file()] == []
    assert (await client.delete(f"/api/project/{project['id']}")).status_code == 404


async def test_other_users_projects_are_404_everywhere(make_client):
    owner = await make_client()
    await signup(owner)
    project = await _ready_project(owner)
    stranger = await make_client()
    await signup(stranger)
    pid = project["id"]
    for method, path, body in [
        ("GET", f"/api/user/projects/{pid}", None),
        ("GET", f"/api/user/projects/{pid}/events", None),
        ("POST", "/api/project/video", {"projectId": pid}),
        ("POST", "/api/project/publish", {"projectId": pid, "isPublished": True}),
        ("DELETE", f"/api/project/{pid}", None),
    ]:
        response = await stranger.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
    assert (await stranger.get("/api/user/projects")).json()["projects"] == []
    assert (await stranger.get("/api/user/credits")).json() == {"credits": 20}
    still = (await owner.get(f"/api/user/projects/{pid}")).json()["project"]
    assert still["isPublished"] is False


async def test_a_generating_project_cannot_be_deleted(client):
    await signup(client)
    project = await _ready_project(client)
    await client.post("/api/project/video", json={"projectId": project["id"]})
    refused = await client.delete(f"/api/project/{project['id']}")
    assert refused.status_code == 409 and refused.json()["error"] == "project_busy"
    done = await wait_for_project(client, project["id"], within=120)
    assert done["generatedVideo"]
    assert (await client.delete(f"/api/project/{project['id']}")).status_code == 204

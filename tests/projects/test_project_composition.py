"""The project API shows how the built-in engine staged the product."""

from __future__ import annotations

from tests.support import create_project, signup, wait_for_project


async def test_ready_project_shows_its_composition(client):
    await signup(client)
    response = await create_project(client, name="Staged", aspectRatio="9:16")
    assert response.status_code == 201, response.text
    project_id = response.json()["projectId"]
    project = await wait_for_project(client, project_id)
    assert project["status"] == "ready", project["error"]
    composition = project["composition"]
    assert composition["composition"] in ("hand", "foreground", "raised")
    assert composition["hand"] in (None, "left", "right")
    assert composition["vision"] in ("vision", "faces")
    listed = (await client.get("/api/user/projects")).json()["projects"]
    assert [p["composition"] for p in listed if p["id"] == project_id] == [composition]

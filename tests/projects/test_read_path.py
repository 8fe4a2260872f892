"""The read path: GET routes read outside any transaction, with the same answers."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlalchemy.engine import make_url

from tests.support import PASSWORD, create_project, signup, unique_email, wait_for_project


async def _bearer(client, email):
    response = await client.post("/api/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _token_last_used(client, headers):
    tokens = (await client.get("/api/auth/tokens", headers=headers)).json()["tokens"]
    return tokens[0]["lastUsedAt"]


async def test_a_read_marks_the_token_used_and_a_revoked_token_is_refused(client):
    email = unique_email()
    await signup(client, email)
    headers = await _bearer(client, email)
    client.cookies.clear()
    assert (await client.get("/api/user/credits", headers=headers)).json() == {"credits": 20}
    assert await _token_last_used(client, headers) is not None
    token_id = (await client.get("/api/auth/tokens", headers=headers)).json()["tokens"][0]["id"]
    assert (await client.delete(f"/api/auth/tokens/{token_id}", headers=headers)).status_code == 204
    for path in ("/api/user/credits", "/api/user/projects", "/api/user/credits/history"):
        refused = await client.get(path, headers=headers)
        assert refused.status_code == 401 and refused.json()["error"] == "not_authenticated"


async def test_reads_answer_while_another_connection_holds_the_sqlite_write_lock(
    client, database_url
):
    if not database_url.startswith("sqlite"):
        return  # PostgreSQL readers never wait for writers
    email = unique_email()
    await signup(client, email)
    created = await create_project(client)
    project_id = created.json()["projectId"]
    await wait_for_project(client, project_id)  # the job's writes are done
    headers = await _bearer(client, email)
    await client.get("/api/user/credits", headers=headers)  # last use recorded: no write below
    cookie_reads = dict(client.cookies)
    writer = sqlite3.connect(
        make_url(database_url).database, isolation_level=None, timeout=30, check_same_thread=False
    )
    # Off the event loop: the app's own writers (job runner, reconciler) need it to finish.
    await asyncio.to_thread(writer.execute, "BEGIN IMMEDIATE")
    try:
        for path in (
            f"/api/user/projects/{project_id}",
            "/api/user/projects",
            "/api/user/credits",
            "/api/user/credits/history",
            "/api/project/published",
        ):
            client.cookies.clear()
            by_token = await client.get(path, headers=headers)
            assert by_token.status_code == 200, (path, by_token.text)
            client.cookies.update(cookie_reads)
            by_cookie = await client.get(path)
            assert by_cookie.status_code == 200, (path, by_cookie.text)
            assert by_cookie.json().keys() == by_token.json().keys()
        project = (await client.get(f"/api/user/projects/{project_id}")).json()["project"]
        assert project["id"] == project_id and project["productName"] == "Aqua Bottle"
        assert (await client.get("/api/user/credits")).json() == {"credits": 15}
    finally:
        await asyncio.to_thread(writer.execute, "ROLLBACK")
        writer.close()
